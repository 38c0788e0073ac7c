package io.postino;

import io.postino.config.StartupException;
import io.postino.server.auth.AuthOptions;
import io.postino.server.tls.TlsOptions;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * Turns what went wrong while opening the spool, TLS or AUTH into a {@link StartupException} that
 * names the option and the path ({@code tls.certificate /x.pem: no such file or directory}), so
 * that an operator needs neither a stack trace nor the source.
 */
final class StartFailures {

  private StartFailures() {
  }

  static StartupException spool(Path directory, Throwable e) {
    return StartupException.path("spool directory", directory, e);
  }

  static StartupException tls(TlsOptions options, Throwable e) {
    Path file = fileOf(e);
    if (file != null && options.getCertificate() != null && file.equals(Path.of(options.getCertificate()))) {
      return StartupException.path("tls.certificate", file, e);
    }
    if (file != null && options.getKey() != null && file.equals(Path.of(options.getKey()))) {
      return StartupException.path("tls.key", file, e);
    }
    if (file != null) {
      return StartupException.path("tls: file", file, e);
    }
    return new StartupException("tls: " + StartupException.reason(e, -1), e);
  }

  static StartupException auth(AuthOptions options, Throwable e) {
    return StartupException.path("auth.usersFile", Path.of(options.getUsersFile()), e);
  }

  /** The file a file-system failure is about, or null. */
  private static Path fileOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof FileSystemException f && f.getFile() != null) {
        return Path.of(f.getFile());
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
