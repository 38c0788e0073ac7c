package io.postino.server.auth;

import io.postino.files.FileWatcher;
import io.postino.smtp.MailAddress;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Checks AUTH credentials against the users file, limits failed attempts per client address, and
 * says which senders a user may use. One instance serves every listener and event loop; the users
 * file is reloaded when it changes.
 *
 * <p>SECURITY: bcrypt is slow on purpose (a quarter of a second at cost 12), so checks run on a
 * worker pool of their own, as large as the machine has cores: never on an event loop, and never
 * starving the shared worker pool the spool needs for its fsyncs. An unknown user costs the same
 * check as a wrong password (against a real user's hash, or a dummy one when there is no user),
 * so timing does not tell which names exist.
 */
public final class Authenticator {

  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
  /** bcrypt, cost 12, of a password nobody has: what an unknown user's password is checked against. */
  private static final String DUMMY_HASH = "$2a$12$3chPRkGyYJFG.hPDF173Ju63eTiuT/K8.f1qvMJ9N8cVEmOCQaloC";

  private final Vertx vertx;
  private final AuthOptions options;
  private final Path file;
  private final Predicate<String> isLocalDomain;
  private final WorkerExecutor worker;
  private final FailureCounter perClient;
  private volatile Map<String, UsersFile.User> users = Map.of();
  private volatile Handler<Integer> reloadHandler;
  private FileWatcher watcher;

  private Authenticator(Vertx vertx, AuthOptions options, Predicate<String> isLocalDomain) {
    this.vertx = vertx;
    this.options = new AuthOptions(options);
    this.file = Path.of(options.getUsersFile());
    this.isLocalDomain = isLocalDomain;
    this.worker = vertx.createSharedWorkerExecutor("postino-auth", Runtime.getRuntime().availableProcessors());
    this.perClient = new FailureCounter(options.getMaxFailuresPerClient(), options.getFailureWindow(), System::nanoTime);
  }

  /**
   * Reads the users file and starts watching it.
   *
   * @param isLocalDomain tells whether a domain is local, for the senders of users whose name is
   *     not an address
   */
  public static Future<Authenticator> start(Vertx vertx, AuthOptions options, Predicate<String> isLocalDomain) {
    Authenticator auth = new Authenticator(vertx, options, isLocalDomain);
    return vertx.executeBlocking(() -> {
      FileWatcher.Snapshot before = FileWatcher.snapshot(List.of(auth.file));
      auth.users = UsersFile.read(auth.file, log::warn);
      if (auth.users.isEmpty()) {
        log.info("AUTH: no users in {}: every login fails until some are added (postino users add NAME)",
            auth.file.toAbsolutePath());
      } else {
        log.info("AUTH: {} user(s) from {}", auth.users.size(), auth.file.toAbsolutePath());
      }
      return before;
    }).map(before -> {
      auth.watcher = FileWatcher.watch(vertx, List.of(auth.file), options.getWatchInterval(), before,
          () -> auth.reload().onFailure(e -> log.warn("AUTH: cannot reload {}: {}", auth.file, e.toString())));
      return auth;
    });
  }

  public AuthOptions options() {
    return options;
  }

  /**
   * Checks a name and password on the AUTH worker pool. Succeeds with true for valid credentials,
   * false otherwise; the caller counts failures.
   */
  public Future<Boolean> verify(String name, String password) {
    Map<String, UsersFile.User> snapshot = users;
    return worker.executeBlocking(() -> {
      UsersFile.User user = snapshot.get(name);
      boolean matches;
      try {
        // an unknown name is checked against a real user's hash when there is one, so that its
        // cost (users may have other bcrypt costs than the dummy's) does not tell names apart
        String hash = user != null ? user.hash()
            : snapshot.isEmpty() ? DUMMY_HASH : snapshot.values().iterator().next().hash();
        matches = BCrypt.checkpw(password, hash);
      } catch (IllegalArgumentException e) {
        matches = false;
      }
      return user != null && matches;
    }, false);
  }

  /** True when this client address has had too many failures lately: refuse AUTH without checking. */
  public boolean isBlocked(String clientAddress) {
    return perClient.isBlocked(clientAddress);
  }

  /**
   * Counts a failed attempt before its password is checked; false, counting nothing, when the
   * client address is blocked. Give it back with {@link #releaseFailure} unless the check fails.
   */
  public boolean reserveFailure(String clientAddress) {
    return perClient.reserve(clientAddress);
  }

  /** Gives back a failure counted by {@link #reserveFailure}: the check succeeded or could not be made. */
  public void releaseFailure(String clientAddress) {
    perClient.release(clientAddress);
  }

  /** Counts a failed attempt; true when the client address is now blocked. */
  public boolean recordFailure(String clientAddress) {
    return perClient.fail(clientAddress);
  }

  /**
   * True when {@code user} may send as {@code sender}: the null sender, the user's name when it is
   * an address, {@code name@local-domain} when it is not, and the addresses listed for the user.
   */
  public boolean mayUseSender(String user, MailAddress sender) {
    if (sender.isNullSender()) {
      return true;
    }
    String address = sender.address().toLowerCase(Locale.ROOT);
    if (user.indexOf('@') >= 0) {
      if (address.equals(user.toLowerCase(Locale.ROOT))) {
        return true;
      }
    } else if (sender.localPart().equalsIgnoreCase(user) && isLocalDomain.test(sender.domain())) {
      return true;
    }
    UsersFile.User u = users.get(user);
    return u != null && u.addresses().contains(address);
  }

  /** Reads the users file again (it is also reloaded on its own when it changes); succeeds with the user count. */
  public Future<Integer> reload() {
    return vertx.executeBlocking(() -> UsersFile.read(file, log::warn), false).map(read -> {
      users = read;
      log.info("AUTH: reloaded {}: {} user(s)", file.toAbsolutePath(), read.size());
      Handler<Integer> h = reloadHandler;
      if (h != null) {
        h.handle(read.size());
      }
      return read.size();
    });
  }

  /** Called with the user count after each reload. */
  public Authenticator reloadHandler(Handler<Integer> handler) {
    this.reloadHandler = handler;
    return this;
  }

  /** Stops watching the file and releases the worker pool. */
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
    worker.close();
  }
}
