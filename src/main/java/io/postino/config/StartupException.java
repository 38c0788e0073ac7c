package io.postino.config;

import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A node that cannot start because of what it was configured with or the machine it runs on: a
 * port taken, a directory it may not write, a certificate that is not there. The message is one
 * line saying what, where and why, in the words an operator searches for
 * ({@code submission listener 0.0.0.0:587: address already in use},
 * {@code spool directory data/spool: permission denied},
 * {@code tls.certificate /x.pem: no such file}); the command line exits 78 ({@code EX_CONFIG}) for
 * it, as for a {@link ConfigException}. The factories serve every listener and file, so that each
 * says it the same way.
 */
public final class StartupException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A listener that would not bind.
   *
   * @param listener what it is, as the operator knows it: {@code "submission listener"}, {@code "admin listener"}
   */
  public static StartupException listener(String listener, String host, int port, Throwable cause) {
    String address = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return new StartupException(listener + " " + address + ":" + port + ": " + reason(cause, port), cause);
  }

  /**
   * A directory or file that cannot be used.
   *
   * @param what what it is for, as the configuration names it: {@code "spool directory"},
   *     {@code "tls.certificate"}
   */
  public static StartupException path(String what, Path path, Throwable cause) {
    return new StartupException(what + " " + path + ": " + reason(cause, -1), cause);
  }

  /** The failure in a few words, without the Java class names. */
  public static String reason(Throwable cause, int port) {
    Throwable t = cause;
    while (t.getCause() != null && t.getCause() != t && !(t instanceof FileSystemException)
        && !(t instanceof BindException)) {
      t = t.getCause();
    }
    if (t instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (t instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (t instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (t instanceof FileAlreadyExistsException f) {
      // creating a directory where a file is
      return "not a directory: " + f.getFile();
    }
    if (t instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason().toLowerCase(Locale.ROOT);
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    // Netty's native transport says "bind(..) failed: Address already in use"
    int colon = message.lastIndexOf("failed: ");
    if (colon >= 0) {
      message = message.substring(colon + "failed: ".length());
    }
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("permission denied") && port > 0 && port < 1024) {
      return "permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)";
    }
    if (lower.contains("address already in use") || lower.contains("permission denied")
        || lower.contains("cannot assign requested address")) {
      return lower;
    }
    return message;
  }
}
