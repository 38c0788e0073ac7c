package io.postino.local;

import io.postino.spool.Envelope;
import io.postino.smtp.LocalParts;
import io.postino.smtp.MailAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Where a local recipient's mail goes in the Maildir tree, and what the delivered files are
 * called.
 *
 * <p>SECURITY: the domain and the local part come from the client's {@code RCPT TO}. The local
 * part is unquoted, lower-cased, normalised to NFC (so {@code üser} precomposed and decomposed is
 * one mailbox) and every character that could change the path or confuse a terminal ({@code /},
 * {@code \}, NUL, control and format characters such as a bidirectional override, lone
 * surrogates, a leading dot) becomes {@code _}, so any local part names a single directory under
 * its domain. RCPT already refuses control and format characters for local domains
 * ({@link LocalParts}); the mapping here is the second line. A domain holding such a
 * character is refused outright, since no real domain does. The resolved directory is then checked
 * to be exactly two levels below the root. Unsafe characters collapse onto {@code _}, so
 * {@code "a/b"} and {@code a_b} share a mailbox: sites with such users should list them explicitly.
 */
final class MailboxNames {

  /** Linux NAME_MAX. */
  private static final int MAX_SEGMENT_OCTETS = 255;

  private MailboxNames() {
  }

  /**
   * A mailbox: its domain and user directory names, both already safe path segments, and the
   * Maildir++ folder of a subaddress ({@code .news}), or null for the inbox.
   */
  record Mailbox(String domain, String user, String folder) {

    /** {@code <root>/<domain>/<user>}, or its folder; {@code root} must be absolute and normalized. */
    Path directory(Path root) {
      Path dir = root.resolve(domain).resolve(user).normalize();
      if (dir.getParent() == null || !root.equals(dir.getParent().getParent())) {
        throw new IllegalArgumentException("mailbox escapes the Maildir root: " + dir);
      }
      if (folder == null) {
        return dir;
      }
      Path sub = dir.resolve(folder).normalize();
      if (!dir.equals(sub.getParent())) {
        throw new IllegalArgumentException("folder escapes its mailbox: " + sub);
      }
      return sub;
    }
  }

  /** The mailbox of a recipient, without subaddresses; the bare {@code <postmaster>} belongs to {@code defaultDomain}. */
  static Mailbox mailbox(MailAddress recipient, String defaultDomain) {
    return mailbox(recipient, defaultDomain, "", false);
  }

  /**
   * The mailbox of a recipient whose local part may end in a subaddress after one of {@code
   * delimiters} ({@code alice+news}): it is {@code alice}'s, in folder {@code .news} with {@code
   * folders}, in her inbox without.
   */
  static Mailbox mailbox(MailAddress recipient, String defaultDomain, String delimiters, boolean folders) {
    if (recipient.isBarePostmaster()) {
      return new Mailbox(domainDirectory(defaultDomain), "postmaster", null);
    }
    String local = unquote(recipient.localPart());
    int at = LocalParts.subaddressStart(local, delimiters);
    String folder = null;
    if (at > 0) {
      String extension = local.substring(at + 1);
      local = local.substring(0, at);
      if (folders && !extension.isEmpty()) {
        // one safe segment, and never "." or "..": the folder is ".<name>" under the mailbox
        folder = checkLength("." + userDirectory(extension));
      }
    }
    return new Mailbox(domainDirectory(recipient.domain()), userDirectory(local), folder);
  }

  /** The address to name in {@code Delivered-To:}: the bare postmaster gets its domain. */
  static String deliveredTo(MailAddress recipient, String defaultDomain) {
    return recipient.isBarePostmaster() ? "postmaster@" + defaultDomain : recipient.address();
  }

  static String domainDirectory(String domain) {
    String lower = domain == null ? "" : LocalParts.normalize(domain.toLowerCase(Locale.ROOT));
    if (lower.isEmpty() || lower.charAt(0) == '.' || lower.codePoints().anyMatch(MailboxNames::isUnsafe)) {
      throw new IllegalArgumentException("unsafe domain for a Maildir directory: " + domain);
    }
    return checkLength(lower);
  }

  static String userDirectory(String localPart) {
    String lower = LocalParts.normalize(unquote(localPart).toLowerCase(Locale.ROOT));
    StringBuilder b = new StringBuilder(lower.length() + 1);
    lower.codePoints().forEach(cp -> {
      if (isUnsafe(cp)) {
        b.append('_');
      } else {
        b.appendCodePoint(cp);
      }
    });
    if (b.length() == 0) {
      b.append('_');
    }
    if (b.charAt(0) == '.') {
      b.setCharAt(0, '_');
    }
    return checkLength(b.toString());
  }

  /**
   * The tag that makes a file name unique per (message, mailbox): the index of the first envelope
   * recipient delivered to this mailbox, or {@code h} and a hash of the mailbox when no envelope
   * recipient maps to it. Recipients that share a mailbox ({@code A@x} and {@code a@x}) thus share
   * one copy, and a repeated delivery always finds the same name.
   */
  static String recipientTag(Envelope envelope, Mailbox mailbox, String defaultDomain, String delimiters,
      boolean folders) {
    List<Envelope.Recipient> recipients = envelope.recipients();
    for (int i = 0; i < recipients.size(); i++) {
      Mailbox other;
      try {
        other = mailbox(recipients.get(i).address(), defaultDomain, delimiters, folders);
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (other.equals(mailbox)) {
        return Integer.toString(i);
      }
    }
    return "h" + Integer.toHexString((mailbox.domain() + "/" + mailbox.user()
        + (mailbox.folder() == null ? "" : "/" + mailbox.folder())).hashCode());
  }

  /**
   * {@code <seconds>.P<queue id>R<tag>.<host>}: deterministic, so a repeated delivery finds the
   * earlier copy. The queue id must be alphanumeric: a dot would blur the fields, and {@code /}
   * or {@code :} (the Maildir info separator) would break the name.
   */
  static String uniqueName(long epochSeconds, String queueId, String tag, String hostname) {
    if (queueId == null || !queueId.matches("[0-9A-Za-z]+")) {
      throw new IllegalArgumentException("unsafe queue id for a Maildir name: " + queueId);
    }
    return epochSeconds + ".P" + queueId + "R" + tag + "." + escapeHostname(hostname);
  }

  /** As the Maildir specification asks: {@code /} becomes {@code \057}, {@code :} {@code \072}. */
  static String escapeHostname(String hostname) {
    return hostname.replace("/", "\\057").replace(":", "\\072");
  }

  private static String unquote(String localPart) {
    if (localPart.length() < 2 || localPart.charAt(0) != '"'
        || localPart.charAt(localPart.length() - 1) != '"') {
      return localPart;
    }
    StringBuilder b = new StringBuilder(localPart.length());
    for (int i = 1; i < localPart.length() - 1; i++) {
      char c = localPart.charAt(i);
      if (c == '\\' && i + 1 < localPart.length() - 1) {
        c = localPart.charAt(++i);
      }
      b.append(c);
    }
    return b.toString();
  }

  private static boolean isUnsafe(int cp) {
    return cp == '/' || cp == '\\' || LocalParts.isRefused(cp)
        || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
  }

  private static String checkLength(String segment) {
    if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_OCTETS) {
      throw new IllegalArgumentException("name too long for a directory: " + segment.length());
    }
    return segment;
  }
}
