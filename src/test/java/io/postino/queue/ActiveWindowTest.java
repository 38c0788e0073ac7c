package io.postino.queue;

import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.envelope;
import static io.postino.spool.SpoolTesting.fileNames;
import static io.postino.spool.SpoolTesting.store;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The active window over a real spool: how a scan's messages are read, and a stop meanwhile. */
@ExtendWith(VertxExtension.class)
class ActiveWindowTest {

  private static final MailAddress BOB = new MailAddress("bob", "example.com");

  @TempDir
  Path dir;

  @Test
  void aStopWhileAScanIsReadLeavesTheMessagesNotReadYetUnread(Vertx vertx) throws Exception {
    int queued = 5 * ActiveWindow.MAX_READING;
    Spool spool = await(Spool.open(vertx, dir));
    Context context = vertx.getOrCreateContext();
    for (int i = 0; i < queued; i++) {
      await(store(context, spool, envelope(spool.newQueueId(), Instant.now(), BOB),
          ("Subject: " + i + "\r\n\r\nqueued\r\n").getBytes(StandardCharsets.US_ASCII)));
    }
    // a restart: every message in its own file, as a scan finds them
    await(spool.close());
    spool = await(Spool.open(vertx, dir));
    Path incoming = dir.resolve("incoming");
    List<String> ids = fileNames(incoming);
    assertEquals(queued, ids.size());
    // all but the first read at once (a scan reads oldest first) are corrupt: a read of any of
    // them would move it to corrupt/
    for (String id : ids.subList(ActiveWindow.MAX_READING, queued)) {
      Files.writeString(incoming.resolve(id), "not a spool file");
    }

    List<String> started = new ArrayList<>();
    List<CorruptSpoolFileException> corrupt = new ArrayList<>();
    Promise<Future<Void>> stopping = Promise.promise();
    ActiveWindow[] window = new ActiveWindow[1];
    window[0] = new ActiveWindow(spool, 1000, corrupt::add, e -> {
      started.add(e.queueId);
      // the first message read and its round begun: the server stops, and the round ends
      if (started.size() == 1) {
        stopping.complete(window[0].stop());
      }
      window[0].forget(e);
    });
    context.runOnContext(v -> window[0].scan(false));

    await(await(stopping.future()));
    assertEquals(1, started.size(), "no round starts once the stop began");
    assertEquals(List.of(), corrupt, "nothing read after the stop but what was being read");
    assertEquals(ids, fileNames(incoming), "the messages not read are left for the next start");
  }
}
