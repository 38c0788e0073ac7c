package io.postino;

import io.postino.config.StartupException;
import io.postino.server.ListenerOptions;
import io.postino.server.auth.UsersFile;
import io.postino.server.tls.TlsSupport;
import io.postino.spool.Spool;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What would stop a configuration from starting on this machine, without starting it (as
 * {@code postfix check}): the roles that do not go together, directories the node writes in (the
 * spool, the mailboxes, the self-signed certificate's) that cannot be written or made, a TLS
 * certificate or key that does not load, an AUTH users file that does not read,
 * ports already taken. Nothing is written: a self-signed certificate that does not exist yet is
 * only checked for a directory to go in.
 */
final class EnvironmentCheck {

  private EnvironmentCheck() {
  }

  static Future<List<String>> run(Vertx vertx, PostinoOptions config) {
    List<String> problems = new ArrayList<>();
    String roles = roles(config);
    if (roles != null) {
      problems.add(roles);
    }
    boolean listener = config.getRoles().contains(Role.LISTENER);
    if (config.getRoles().contains(Role.QUEUE)) {
      directory(problems, "spool directory", config.getSpoolDirectory());
      directory(problems, "maildir.root", Path.of(config.getMaildir().getRoot()));
    }
    Future<Void> tls = Future.succeededFuture();
    Future<Void> auth = Future.succeededFuture();
    if (listener && config.getTls().isEnabled()) {
      if (config.getTls().getCertificate() != null) {
        tls = TlsSupport.start(vertx, config.getTls(), config.tlsDirectory(), config.getHostname())
            .map(t -> {
              t.close();
              return null;
            });
      } else {
        Path dir = config.getTls().getDirectory() != null ? Path.of(config.getTls().getDirectory())
            : config.tlsDirectory();
        directory(problems, "tls.directory (for the self-signed certificate)", dir);
      }
    }
    if (listener && config.getAuth().isEnabled()) {
      // the server only reads the users file (postino users writes it, as the administrator): it
      // must read, and its directory need not be writable by the server; read as the server
      // reads it, without the log lines of a start
      Path users = Path.of(config.getAuth().getUsersFile());
      auth = vertx.executeBlocking(() -> {
        UsersFile.read(users, line -> { });
        return null;
      });
    }
    Future<List<String>> ports = vertx.executeBlocking(() -> ports(config, listener));
    Future<Void> tlsChecked = tls;
    Future<Void> authChecked = auth;
    return Future.join(tls, auth, ports).transform(ar -> {
      if (tlsChecked.failed()) {
        problems.add(tlsChecked.cause() instanceof IllegalArgumentException e ? e.getMessage()
            : StartFailures.tls(config.getTls(), tlsChecked.cause()).getMessage());
      }
      if (authChecked.failed()) {
        problems.add(StartFailures.auth(config.getAuth(), authChecked.cause()).getMessage());
      }
      if (ports.succeeded()) {
        problems.addAll(ports.result());
      }
      return Future.succeededFuture(problems);
    });
  }

  /** Roles or listeners that need what is turned off; null when the combination is fine. */
  static String roles(PostinoOptions config) {
    String roles = Role.check(config.getRoles());
    if (roles != null) {
      return roles;
    }
    if (config.getRoles().contains(Role.QUEUE) && !config.getRoles().contains(Role.DELIVERY)
        && !config.getQueue().isDeliverAcrossCluster()) {
      return "the queue role without the delivery role needs queue.deliverAcrossCluster: "
          + "its jobs would otherwise wait for a delivery verticle on its own node";
    }
    if (!config.getRoles().contains(Role.LISTENER)) {
      return null;
    }
    if (config.getSmtps().isEnabled() && !config.getTls().isEnabled()) {
      return "smtps (implicit TLS) is enabled but tls is not";
    }
    if ((config.getSubmission().isEnabled() || config.getSmtps().isEnabled()) && !config.getAuth().isEnabled()) {
      return "submission and smtps need AUTH, but auth is not enabled";
    }
    return null;
  }

  /** A directory the node writes in: there and writable, or makeable under the nearest ancestor that is. */
  private static void directory(List<String> problems, String what, Path dir) {
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    if (!Files.isDirectory(existing)) {
      problems.add(StartupException.path(what, dir, new NotDirectoryException(existing.toString())).getMessage()
          + (existing.equals(dir.toAbsolutePath()) ? "" : ": " + existing));
    } else if (!Files.isWritable(existing)) {
      problems.add(StartupException.path(what, dir, new AccessDeniedException(existing.toString())).getMessage()
          + (existing.equals(dir.toAbsolutePath()) ? "" : " (to create it in " + existing + ")"));
    }
  }

  /**
   * The ports that cannot be bound now: the listeners', the admin port. None when a Postino runs on
   * this configuration's spool: it holds them, as it should, and checking the file it runs with
   * (before a reload, say) must not fail for that.
   */
  private static List<String> ports(PostinoOptions config, boolean listeners) throws IOException {
    List<String> problems = new ArrayList<>();
    if (config.getRoles().contains(Role.QUEUE) && Spool.isInUse(config.getSpoolDirectory())) {
      return problems;
    }
    if (listeners) {
      String host = config.getSmtp().getHost();
      bind(problems, "smtp listener", host, config.getSmtp().getPort());
      for (String name : List.of("submission", "smtps")) {
        ListenerOptions listener = name.equals("submission") ? config.getSubmission() : config.getSmtps();
        if (listener.isEnabled()) {
          bind(problems, name + " listener", host, listener.getPort());
        }
      }
    }
    if (config.getAdmin().isEnabled()) {
      bind(problems, "admin listener", config.getAdmin().getHost(), config.getAdmin().getPort());
    }
    return problems;
  }

  private static void bind(List<String> problems, String listener, String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      // as the listener itself binds, so that a port in TIME_WAIT is no problem
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      problems.add(StartupException.listener(listener, host, port, e).getMessage());
    }
  }
}
