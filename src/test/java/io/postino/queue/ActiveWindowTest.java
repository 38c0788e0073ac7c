package io.postino.queue;

import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.envelope;
import static io.postino.spool.SpoolTesting.fileNames;
import static io.postino.spool.SpoolTesting.store;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.postino.smtp.MailAddress;
import io.postino.spool.CorruptSpoolFileException;
import io.postino.spool.Spool;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The active window over a real spool: how a scan's messages are read, and a stop meanwhile. */
@ExtendWith(VertxExtension.class)
class ActiveWindowTest {

  private static final MailAddress BOB = new MailAddress("bob", "example.com");

  @TempDir
  Path dir;

  private Spool spool;
  private Context context;
  private Path incoming;
  /** The queued messages, oldest first: the order a scan reads them in. */
  private List<String> ids;

  /**
   * Queues {@code 5 x MAX_READING} messages and restarts the spool on them (every message in its
   * own file, as a scan finds them); all but the first {@code MAX_READING}, which a scan reads at
   * once, are then made corrupt, so that a read of any of them would move it to corrupt/.
   */
  private void queueWithAnUnreadableTail(Vertx vertx) throws Exception {
    int queued = 5 * ActiveWindow.MAX_READING;
    spool = await(Spool.open(vertx, dir));
    context = vertx.getOrCreateContext();
    for (int i = 0; i < queued; i++) {
      await(store(context, spool, envelope(spool.newQueueId(), Instant.now(), BOB),
          ("Subject: " + i + "\r\n\r\nqueued\r\n").getBytes(StandardCharsets.US_ASCII)));
    }
    await(spool.close());
    spool = await(Spool.open(vertx, dir));
    incoming = dir.resolve("incoming");
    ids = fileNames(incoming);
    assertEquals(queued, ids.size());
    for (String id : ids.subList(ActiveWindow.MAX_READING, queued)) {
      Files.writeString(incoming.resolve(id), "not a spool file");
    }
  }

  private final List<String> started = new ArrayList<>();
  private final List<CorruptSpoolFileException> corrupt = new ArrayList<>();
  private final Promise<Future<Void>> stopping = Promise.promise();
  private ActiveWindow window;

  /**
   * Scans with a window whose rounds end as they start; at the start of the first round read,
   * runs {@code beforeTheStop} and stops the window, at once or ({@code nextTurn}) once the
   * scan's taking in is over; returns once the stop is complete.
   */
  private void scanAndStopAtTheFirstRound(boolean nextTurn, Consumer<ActiveMessage> beforeTheStop) throws Exception {
    window = new ActiveWindow(spool, 1000, corrupt::add, e -> {
      started.add(e.queueId);
      if (started.size() == 1) {
        Runnable stop = () -> {
          try {
            beforeTheStop.accept(e);
            stopping.complete(window.stop());
          } catch (RuntimeException | AssertionError t) {
            stopping.fail(t);
          }
        };
        if (nextTurn) {
          context.runOnContext(v -> stop.run());
        } else {
          stop.run();
        }
      }
      // the round ends (or carries out what an operator asked for, as DeliveryRound#start does)
      window.forget(e);
    });
    context.runOnContext(v -> window.scan(false));
    await(await(stopping.future()));
  }

  @Test
  void aStopWhileAScanIsReadLeavesTheMessagesNotReadYetUnread(Vertx vertx) throws Exception {
    queueWithAnUnreadableTail(vertx);
    scanAndStopAtTheFirstRound(false, first -> { });

    assertEquals(1, started.size(), "no round starts once the stop began");
    assertEquals(List.of(), corrupt, "nothing read after the stop but what was being read");
    assertEquals(ids, fileNames(incoming), "the messages not read are left for the next start");
  }

  @Test
  void anOperatorsDeletionOfAMessageNotReadYetIsCarriedOutAtAStop(Vertx vertx) throws Exception {
    queueWithAnUnreadableTail(vertx);
    // the newest: the reads, 8 at a time and oldest first, are far from it
    String notRead = ids.get(ids.size() - 1);
    int[] startedBeforeTheStop = new int[1];
    scanAndStopAtTheFirstRound(true, first -> {
      // as QueueManager#delete does for a message in the window: the request is noted
      window.get(notRead).deleteRequested = true;
      startedBeforeTheStop[0] = started.size();
    });

    assertEquals(List.of(notRead), started.subList(startedBeforeTheStop[0], started.size()),
        "after the stop, only the start that carries out the deletion (without a round)");
    assertFalse(corrupt.stream().anyMatch(c -> c.queueId().equals(notRead)),
        "the message not read yet is not read for its deletion");
  }
}
