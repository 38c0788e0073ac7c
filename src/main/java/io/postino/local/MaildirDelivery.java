package io.postino.local;

import io.postino.files.DurableFiles;
import io.postino.spool.SpooledMessage;
import io.postino.smtp.MailAddress;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * Delivers a spooled message to a local mailbox in Maildir format:
 * {@code <root>/<domain>/<user>/new/<unique name>}, written to {@code tmp/} first, fsync'd, then
 * linked into {@code new/} and the directory fsync'd. The file starts with {@code Return-Path:}
 * and {@code Delivered-To:} headers followed by the spooled content unchanged.
 *
 * <p>Idempotent: the file name is derived from the queue id and the recipient, so delivering
 * again after a crash finds the earlier copy in {@code new/} and does not make a second one.
 * (A copy that a mail reader already moved to {@code cur/} is not looked for: scanning
 * {@code cur/} on every delivery would cost more than the rare duplicate it prevents.)
 *
 * <p>Files and the directories delivery creates get the modes of {@link MaildirOptions}
 * ({@code 0600} and {@code 0700} by default): mail is as private in the mailbox as in the spool.
 *
 * <p>The content is copied from the spool file by the kernel ({@code transferTo}), never loaded
 * into memory; all file work runs on worker threads.
 *
 * <p>SECURITY: the user directory comes from the recipient's local part, which the client chose;
 * it is lower-cased and reduced to a safe file name (no {@code /}, no leading dot, no control
 * characters) before it touches the file system; see {@link MailboxNames}. The added header
 * lines refuse CR, LF and NUL so an address cannot inject headers.
 */
public final class MaildirDelivery {

  private final Vertx vertx;
  private final Path root;
  private final String hostname;
  private final Set<PosixFilePermission> fileMode;
  private final Set<PosixFilePermission> directoryMode;
  private final String delimiters;
  private final boolean folders;

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
    this.vertx = vertx;
    this.delimiters = delimiters;
    this.folders = options.isSubaddressFolders();
    this.root = Path.of(options.getRoot()).toAbsolutePath().normalize();
    this.hostname = hostname;
    this.fileMode = options.filePermissions();
    this.directoryMode = options.directoryPermissions();
  }

  /** With the default modes. */
  public MaildirDelivery(Vertx vertx, Path root, String hostname) {
    this(vertx, new MaildirOptions().setRoot(root.toString()), hostname);
  }

  /**
   * Delivers to one local recipient. The bare {@code <postmaster>} is delivered to
   * {@code postmaster} of {@code defaultDomain}.
   *
   * @return the path of the delivered file in {@code new/}
   */
  public Future<Path> deliver(SpooledMessage message, MailAddress recipient, String defaultDomain) {
    return vertx.executeBlocking(() -> deliverBlocking(message, recipient, defaultDomain), false);
  }

  private Path deliverBlocking(SpooledMessage message, MailAddress recipient, String defaultDomain)
      throws IOException {
    MailboxNames.Mailbox mailbox = MailboxNames.mailbox(recipient, defaultDomain, delimiters, folders);
    Path dir = mailbox.directory(root);
    String name = MailboxNames.uniqueName(
        message.envelope().received().getEpochSecond(),
        message.queueId(),
        MailboxNames.recipientTag(message.envelope(), mailbox, defaultDomain, delimiters, folders),
        hostname);
    Path newDir = dir.resolve("new");
    Path delivered = newDir.resolve(name);
    if (!Files.exists(delivered)) {
      byte[] headers = headers(message, MailboxNames.deliveredTo(recipient, defaultDomain));
      for (String sub : new String[] {"tmp", "new", "cur"}) {
        DurableFiles.createDirectories(dir.resolve(sub), directoryMode);
      }
      if (mailbox.folder() != null) {
        markFolder(dir);
      }
      // a name of its own per attempt: two recipients of one message can share a mailbox
      // (A@x and a@x) and be delivered at the same time, and must not write one temporary file
      Path tmpFile = dir.resolve("tmp").resolve(name + "." + UUID.randomUUID());
      try {
        write(tmpFile, headers, message, fileMode);
        try {
          Files.createLink(delivered, tmpFile);
        } catch (FileAlreadyExistsException e) {
          // A concurrent or earlier attempt delivered this very message to this mailbox.
        }
      } catch (IOException | RuntimeException e) {
        // On a full disk a partial copy left behind would keep the space the retry needs, and
        // each retry would leave one more: whatever went wrong, the temporary file goes.
        deleteQuietly(tmpFile, e);
        throw e;
      }
      Files.delete(tmpFile);
    }
    // Also when the file was already there: the attempt that linked it may have died before
    // making the link durable.
    DurableFiles.fsyncDirectory(newDir);
    return delivered;
  }

  /** A Maildir++ folder has an empty {@code maildirfolder} file, which mail readers (Dovecot, Courier) look for. */
  private void markFolder(Path folder) throws IOException {
    try {
      Files.createFile(folder.resolve("maildirfolder"), PosixFilePermissions.asFileAttribute(fileMode));
    } catch (FileAlreadyExistsException e) {
      // made by an earlier delivery
    }
  }

  private static void deleteQuietly(Path tmpFile, Exception cause) {
    try {
      Files.deleteIfExists(tmpFile);
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
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

  /** Headers, then the content range of the spool file, then fdatasync. */
  private static void write(Path tmpFile, byte[] headers, SpooledMessage message, Set<PosixFilePermission> mode)
      throws IOException {
    try (FileChannel out = FileChannel.open(tmpFile, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(mode));
        FileChannel in = FileChannel.open(message.file(), StandardOpenOption.READ)) {
      // created with the mode, so never more open than asked; set again for what the umask took
      Files.setPosixFilePermissions(tmpFile, mode);
      ByteBuffer head = ByteBuffer.wrap(headers);
      while (head.hasRemaining()) {
        out.write(head);
      }
      long position = message.contentOffset();
      long end = position + message.contentLength();
      while (position < end) {
        long copied = in.transferTo(position, end - position, out);
        if (copied <= 0) {
          throw new IOException("spool file " + message.file() + " ends at " + in.size()
              + ", before the end of its content at " + end);
        }
        position += copied;
      }
      out.force(false);
    }
  }
}
