package io.postino.local;

import io.postino.spool.SpooledMessage;
import io.postino.smtp.MailAddress;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers a spooled message to a local mailbox in Maildir format:
 * {@code <root>/<domain>/<user>/new/<unique name>}, written to {@code tmp/} first, fdatasync'd,
 * then renamed into {@code new/} and the directory fsync'd, many deliveries at a time: see
 * {@link MaildirCommitter}. The file starts with {@code Return-Path:} and {@code Delivered-To:}
 * headers followed by the spooled content unchanged.
 *
 * <p>Idempotent: the file name is derived from the queue id and the recipient, so delivering
 * again after a crash finds the earlier copy in {@code new/} and does not make a second one
 * (only {@code new/} is looked at before writing, and two attempts of one copy never run at
 * once, so the rename never replaces a copy).
 * (A copy that a mail reader already moved to {@code cur/} is not looked for: scanning
 * {@code cur/} on every delivery would cost more than the rare duplicate it prevents.)
 *
 * <p>Files and the directories delivery creates get the modes of {@link MaildirOptions}
 * ({@code 0600} and {@code 0700} by default): mail is as private in the mailbox as in the spool.
 *
 * <p>The content is copied from the spool file by the kernel ({@code transferTo}), never loaded
 * into memory; all file work runs on worker threads. The mailboxes known to have their
 * directories are remembered ({@link MailboxDirectories}).
 *
 * <p>SECURITY: the user directory comes from the recipient's local part, which the client chose;
 * it is lower-cased and reduced to a safe file name (no {@code /}, no leading dot, no control
 * characters) before it touches the file system; see {@link MailboxNames}. The added header
 * lines refuse CR, LF and NUL so an address cannot inject headers.
 */
public final class MaildirDelivery {

  private final Path root;
  private final String hostname;
  private final Set<PosixFilePermission> fileMode;
  private final String delimiters;
  private final boolean folders;
  private final MaildirCommitter committer;
  /** The copies being made, by their path in new/. */
  private final Map<Path, Future<Path>> inFlight = new ConcurrentHashMap<>();

  /** Without subaddresses: {@code alice+news} is a mailbox of its own. */
  public MaildirDelivery(Vertx vertx, MaildirOptions options, String hostname) {
    this(vertx, options, hostname, "");
  }

  /**
   * @param hostname this server's configured name, part of every file name: it must not change
   *     between runs, or a message resumed after a crash would get a second copy
   * @param delimiters the characters that start a subaddress ({@code recipientDelimiter}):
   *     {@code alice+news} is delivered to {@code alice}, into folder {@code .news} with
   *     {@code maildir.subaddressFolders}
   */
  public MaildirDelivery(Vertx vertx, MaildirOptions options, String hostname, String delimiters) {
    this.delimiters = delimiters;
    this.folders = options.isSubaddressFolders();
    this.root = Path.of(options.getRoot()).toAbsolutePath().normalize();
    this.hostname = hostname;
    this.fileMode = options.filePermissions();
    this.committer = new MaildirCommitter(vertx,
        new MailboxDirectories(options.directoryPermissions(), fileMode));
  }

  /** With the default modes. */
  public MaildirDelivery(Vertx vertx, Path root, String hostname) {
    this(vertx, new MaildirOptions().setRoot(root.toString()), hostname);
  }

  /**
   * Delivers to one local recipient. The bare {@code <postmaster>} is delivered to
   * {@code postmaster} of {@code defaultDomain}. A delivery of a copy already being made (to a
   * recipient sharing the mailbox, {@code A@x} and {@code a@x}) waits for that one instead: two
   * attempts of one copy never overlap.
   *
   * @return the path of the delivered file in {@code new/}
   */
  public Future<Path> deliver(SpooledMessage message, MailAddress recipient, String defaultDomain) {
    MaildirCopy copy;
    try {
      copy = copyFor(message, recipient, defaultDomain);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Path target = copy.target();
    Promise<Path> mine = Promise.promise();
    Future<Path> running = inFlight.putIfAbsent(target, mine.future());
    if (running != null) {
      return running;
    }
    committer.commit(copy).onComplete(ar -> {
      inFlight.remove(target, mine.future());
      mine.handle(ar);
    });
    return mine.future();
  }

  /** Tests: the fsyncs of {@code new/} directories so far. */
  long directorySyncs() {
    return committer.directorySyncs();
  }

  private MaildirCopy copyFor(SpooledMessage message, MailAddress recipient, String defaultDomain) {
    MailboxNames.Mailbox mailbox = MailboxNames.mailbox(recipient, defaultDomain, delimiters, folders);
    Path dir = mailbox.directory(root);
    String name = MailboxNames.uniqueName(
        message.envelope().received().getEpochSecond(),
        message.queueId(),
        MailboxNames.recipientTag(message.envelope(), mailbox, defaultDomain, delimiters, folders),
        hostname);
    return new MaildirCopy(message, dir, mailbox.folder() != null, name,
        headers(message, MailboxNames.deliveredTo(recipient, defaultDomain)), fileMode);
  }

  private static byte[] headers(SpooledMessage message, String deliveredTo) {
    String returnPath = message.envelope().sender().path();
    requireHeaderSafe(returnPath);
    requireHeaderSafe(deliveredTo);
    return ("Return-Path: " + returnPath + "\r\nDelivered-To: " + deliveredTo + "\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static void requireHeaderSafe(String value) {
    if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
      throw new IllegalArgumentException("CR, LF or NUL in a header value: " + value.strip());
    }
  }
}
