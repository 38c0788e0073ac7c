package io.postino.server.tls;

import io.postino.files.FileWatcher;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS: the current certificate, handshakes with it, and its reload when the files
 * change. One instance serves every listener and event loop.
 *
 * <p>The certificate comes from the configured PEM files, or else from a self-signed pair
 * generated at first start in the TLS directory and reused afterwards. Either way the files are
 * watched: replacing them (a renewal) takes effect for new connections without a restart; a
 * replacement that does not load (half written, key not matching) is logged and the previous
 * certificate stays in use.
 *
 * <p>SECURITY: only the protocol versions in {@link TlsOptions#getProtocols()} are offered (TLS 1.2
 * and 1.3 by default), and a client gets {@link TlsOptions#getHandshakeTimeout()} to finish its
 * handshake, so a connection stalled mid-handshake does not hold resources.
 */
public final class TlsSupport {

  private static final Logger log = LoggerFactory.getLogger(TlsSupport.class);

  private final Vertx vertx;
  private final TlsOptions options;
  private final Path certificateFile;
  private final Path keyFile;
  private volatile ServerCertificate current;
  private volatile Handler<X509Certificate> reloadHandler;
  private FileWatcher watcher;

  private TlsSupport(Vertx vertx, TlsOptions options, Path certificateFile, Path keyFile) {
    this.vertx = vertx;
    this.options = new TlsOptions(options);
    this.certificateFile = certificateFile;
    this.keyFile = keyFile;
  }

  /**
   * Loads the configured certificate, or the self-signed one in {@code defaultDirectory} when none
   * is configured (making it first if it does not exist yet), and starts watching the files.
   *
   * @param defaultDirectory where the self-signed pair lives when {@code options} name no directory
   * @param hostname         the name a generated certificate is made for
   */
  public static Future<TlsSupport> start(Vertx vertx, TlsOptions options, Path defaultDirectory, String hostname) {
    if ((options.getCertificate() == null) != (options.getKey() == null)) {
      return Future.failedFuture(new IllegalArgumentException(
          "tls.certificate and tls.key go together: configure both or neither"));
    }
    boolean configured = options.getCertificate() != null;
    Path dir = options.getDirectory() != null ? Path.of(options.getDirectory()) : defaultDirectory;
    Path cert = configured ? Path.of(options.getCertificate()) : dir.resolve(SelfSignedCertificate.CERTIFICATE_FILE);
    Path key = configured ? Path.of(options.getKey()) : dir.resolve(SelfSignedCertificate.KEY_FILE);
    TlsSupport tls = new TlsSupport(vertx, options, cert, key);
    return vertx.executeBlocking(() -> {
      if (!configured && !(Files.exists(cert) && Files.exists(key))) {
        X509Certificate generated = SelfSignedCertificate.write(hostname, cert, key);
        log.info("TLS: no certificate configured; generated a self-signed certificate for {} in {} (valid until {}). "
            + "Set tls.certificate and tls.key to use your own.", hostname, dir.toAbsolutePath(),
            generated.getNotAfter().toInstant());
      }
      FileWatcher.Snapshot before = FileWatcher.snapshot(tls.files());
      tls.current = ServerCertificate.load(cert, key, options.getProtocols());
      log.info("TLS: certificate {} (valid until {}) from {}{}", tls.certificate().getSubjectX500Principal().getName(),
          tls.certificate().getNotAfter().toInstant(), cert.toAbsolutePath(), configured ? "" : " (self-signed)");
      return before;
    }).map(before -> {
      tls.watcher = FileWatcher.watch(vertx, tls.files(), options.getWatchInterval(), before, tls::reloadQuietly);
      return tls;
    });
  }

  private List<Path> files() {
    return List.of(certificateFile, keyFile);
  }

  /**
   * Starts STARTTLS on a connection: call it on the connection's event loop before writing the
   * {@code 220} reply, which still goes out in plaintext.
   *
   * @param context where the handshake's future completes
   */
  public TlsHandshake startTls(NetSocket socket, Context context) {
    return TlsHandshake.begin(socket, current.context(), options.getHandshakeTimeout().toMillis(), true, context);
  }

  /** Starts TLS on a new connection of an implicit-TLS listener, before anything is written. */
  public TlsHandshake implicitTls(NetSocket socket, Context context) {
    return TlsHandshake.begin(socket, current.context(), options.getHandshakeTimeout().toMillis(), false, context);
  }

  /** The certificate new connections get. */
  public X509Certificate certificate() {
    return current.certificate();
  }

  /**
   * Reads the certificate and key files again (the admin call; changed files are also picked up on
   * their own). Succeeds with true when the certificate changed; fails, keeping the current
   * certificate, when the files do not load.
   */
  public Future<Boolean> reload() {
    return vertx.executeBlocking(() -> ServerCertificate.load(certificateFile, keyFile, options.getProtocols()), false)
        .map(loaded -> {
          boolean changed = !loaded.certificate().equals(current.certificate());
          current = loaded;
          if (changed) {
            log.info("TLS: reloaded certificate {} (valid until {}) from {}",
                loaded.certificate().getSubjectX500Principal().getName(),
                loaded.certificate().getNotAfter().toInstant(), certificateFile.toAbsolutePath());
            Handler<X509Certificate> h = reloadHandler;
            if (h != null) {
              h.handle(loaded.certificate());
            }
          }
          return changed;
        });
  }

  private void reloadQuietly() {
    reload().onFailure(e -> log.warn("TLS: {} or {} changed but cannot be loaded, keeping the current certificate: {}",
        certificateFile, keyFile, e.getMessage()));
  }

  /** Called with the new certificate after each reload that changed it. */
  public TlsSupport reloadHandler(Handler<X509Certificate> handler) {
    this.reloadHandler = handler;
    return this;
  }

  /** Stops watching the files. */
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
  }
}
