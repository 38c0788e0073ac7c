package io.postino;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a node runs, from the {@code "roles"} array of the configuration (default: all four). A
 * cluster can split them: listener nodes that accept mail, delivery nodes that send it out.
 */
public enum Role {
  /** The SMTP listeners (SMTP, submission, implicit TLS), with TLS and AUTH. */
  LISTENER,
  /** The spool, the queue manager, local (Maildir) delivery and {@code postino.send}. */
  QUEUE,
  /** The MX resolver, {@code postino.mx.resolve}. */
  RESOLVER,
  /** Outbound delivery, {@code postino.delivery.submit}. */
  DELIVERY;

  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Reads the names of a {@code "roles"} array, in any case. Throws on an unknown name. */
  public static Set<Role> fromNames(List<String> names) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : names) {
      try {
        roles.add(valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown role \"" + name + "\": roles are listener, queue, resolver, delivery");
      }
    }
    return roles;
  }

  /**
   * Why a set of roles cannot run on one node, or null when it can. A listener needs the queue on
   * its node: it writes each message to the local spool before its 250, and hands it to the
   * queue manager there.
   */
  public static String check(Set<Role> roles) {
    if (roles.isEmpty()) {
      return "roles is empty: give at least one of listener, queue, resolver, delivery";
    }
    if (roles.contains(LISTENER) && !roles.contains(QUEUE)) {
      return "the listener role needs the queue role on the same node (the spool is local)";
    }
    return null;
  }
}
