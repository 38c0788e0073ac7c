package io.postino.spool;

import io.postino.bus.RecipientResult;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads the queue for the operator ({@code mailq}, {@code postcat -q}) without changing anything:
 * no file is moved, quarantined or fixed, and content is not read through for its checksum. A file
 * that cannot be read (being written, just removed, corrupt) is left out of a listing: the queue
 * deals with it when it loads it. Blocking: workers, or the command line.
 */
final class QueueInspector {

  /** A header section longer than this is cut: it is shown to a person. */
  static final int MAX_HEADER_OCTETS = 256 * 1024;

  private final SpoolFolders folders;

  QueueInspector(SpoolFolders folders) {
    this.folders = folders;
  }

  /** The messages in {@code incoming} and {@code hold} that {@code filter} takes, oldest first. */
  List<QueuedMessage> list(QueueFilter filter, Set<String> active) throws IOException {
    List<QueuedMessage> found = new ArrayList<>();
    for (Path dir : List.of(folders.incoming, folders.hold)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path file : entries) {
          Read read = read(file, dir == folders.hold, active);
          if (read != null && filter.matches(read.message)) {
            found.add(read.message);
          }
        }
      }
    }
    found.sort(Comparator.comparing(QueuedMessage::arrival).thenComparing(QueuedMessage::queueId));
    return found;
  }

  /**
   * The messages in {@code incoming} due by {@code nowMillis} (all of them when {@code ignoreTimes})
   * that are not {@code busy}, at most {@code limit}, oldest queue id first within what was found.
   * Resident messages (see {@link ResidentMessages}) are in {@code incoming} without a file: due
   * now, as a file written for them would be, and merged in by queue id.
   */
  Spool.Due due(long nowMillis, int limit, Predicate<String> busy, boolean ignoreTimes) throws IOException {
    // looked at first: one that gets its file during the listing is found there, or here, or both
    List<String> residents = folders.residents.ids();
    List<String> ids = new ArrayList<>();
    boolean more = false;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folders.incoming)) {
      for (Path file : entries) {
        String id = file.getFileName().toString();
        if (busy.test(id) || (!ignoreTimes && !isDue(file, nowMillis))) {
          continue;
        }
        if (ids.size() == limit) {
          more = true;
          break;
        }
        ids.add(id);
      }
    }
    Set<String> found = new HashSet<>(ids);
    for (String id : residents) {
      if (!busy.test(id) && found.add(id)) {
        ids.add(id);
      }
    }
    ids.sort(null);
    if (ids.size() > limit) {
      more = true;
      ids.subList(limit, ids.size()).clear();
    }
    return new Spool.Due(ids, more);
  }

  private static boolean isDue(Path file, long nowMillis) {
    try {
      return Files.getLastModifiedTime(file).toMillis() <= nowMillis;
    } catch (IOException e) {
      // gone since the listing: removed by the queue
      return false;
    }
  }

  /** One message in detail, or null when there is no such message (or it cannot be read). */
  MessageDetails show(String queueId, Set<String> active) throws IOException {
    for (Path file : folders.messageFiles(queueId)) {
      Read read = read(file, file.getParent().equals(folders.hold), active);
      if (read != null) {
        return new MessageDetails(read.message, read.envelope, read.history, headers(file, read.contentOffset),
            file, read.contentOffset, read.message.size());
      }
    }
    return null;
  }

  private record Read(QueuedMessage message, Envelope envelope, List<List<JsonObject>> history, long contentOffset) {
  }

  private Read read(Path file, boolean held, Set<String> active) throws IOException {
    String id = file.getFileName().toString();
    if (!QueueIds.isAcceptable(id) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    SpoolFileFormat.Header header;
    long size;
    Instant due;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      header = SpoolFileFormat.read(ch, false);
      size = ch.size() - header.contentOffset();
      due = Files.getLastModifiedTime(file).toInstant();
    } catch (NoSuchFileException | SpoolFileFormat.CorruptException e) {
      return null;
    }
    Envelope envelope = header.envelope();
    if (!id.equals(envelope.queueId())) {
      return null;
    }
    int n = envelope.recipients().size();
    List<String> lines = StatusFiles.lines(folders.status.resolve(id));
    MessageStatus status = MessageStatus.replay(id, n, lines);
    List<List<JsonObject>> history = history(n, lines);
    boolean isActive = !held && active.contains(id);
    List<QueuedMessage.Recipient> recipients = new ArrayList<>();
    boolean deferred = false;
    for (int i = 0; i < n; i++) {
      QueuedMessage.RecipientState state = state(status, i, held, isActive);
      deferred |= state == QueuedMessage.RecipientState.DEFERRED;
      recipients.add(new QueuedMessage.Recipient(envelope.recipients().get(i).address(), state, status.result(i)));
    }
    QueuedMessage.State state = held ? QueuedMessage.State.HOLD
        : isActive ? QueuedMessage.State.ACTIVE
        : deferred ? QueuedMessage.State.DEFERRED
        : QueuedMessage.State.PENDING;
    QueuedMessage message = new QueuedMessage(id, state, size, envelope.received(), envelope.sender(), recipients,
        held ? null : due, status.attempts());
    return new Read(message, envelope, history, header.contentOffset());
  }

  private static QueuedMessage.RecipientState state(MessageStatus status, int i, boolean held, boolean active) {
    RecipientResult last = status.result(i);
    if (status.isFailedUnreported(i)) {
      return QueuedMessage.RecipientState.FAILED;
    }
    if (!status.isPending(i)) {
      return last != null && last.outcome() == RecipientResult.Outcome.DELIVERED
          ? QueuedMessage.RecipientState.DELIVERED : QueuedMessage.RecipientState.BOUNCED;
    }
    if (held) {
      return QueuedMessage.RecipientState.HOLD;
    }
    if (active) {
      return QueuedMessage.RecipientState.ACTIVE;
    }
    return last != null && last.outcome() == RecipientResult.Outcome.TRANSIENT
        ? QueuedMessage.RecipientState.DEFERRED : QueuedMessage.RecipientState.PENDING;
  }

  /** Each recipient's results in the order they were recorded. */
  private static List<List<JsonObject>> history(int recipients, List<String> lines) {
    List<List<JsonObject>> history = new ArrayList<>();
    for (int i = 0; i < recipients; i++) {
      history.add(new ArrayList<>());
    }
    for (String line : lines) {
      try {
        JsonObject json = new JsonObject(line);
        Integer r = json.getInteger("r");
        if (r != null && r >= 0 && r < recipients) {
          history.get(r).add(new JsonObject().put("at", json.getString("at")).put("result", json.getJsonObject("result")));
        }
      } catch (RuntimeException e) {
        // a torn or unreadable line: MessageStatus.replay has logged it
      }
    }
    return history;
  }

  /** The header section: the content up to its first empty line. */
  private static String headers(Path file, long contentOffset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      int length = (int) Math.min(MAX_HEADER_OCTETS, Math.max(0, ch.size() - contentOffset));
      ByteBuffer buf = ByteBuffer.wrap(SpoolFileFormat.readFully(ch, contentOffset, length));
      byte[] bytes = buf.array();
      int end = bytes.length;
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == '\n' && (i + 1 < bytes.length && bytes[i + 1] == '\n'
            || i + 2 < bytes.length && bytes[i + 1] == '\r' && bytes[i + 2] == '\n')) {
          end = i + 1;
          break;
        }
      }
      return new String(bytes, 0, end, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    }
  }
}
