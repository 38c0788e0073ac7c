package io.postino.spool;

import io.postino.PostinoInternals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.smtp.MailAddress;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue meets a spool file cut short: it is set aside, reported, and never delivered. */
class CorruptSpoolFileTest {

  @TempDir
  Path dir;

  @Test
  void aTruncatedFileIsReportedAndNotDelivered() throws Exception {
    try (TestServer server = new TestServer(dir).start()) {
      BlockingQueue<JsonObject> notices = new LinkedBlockingQueue<>();
      server.vertx.eventBus().<JsonObject>consumer("postino.queue.corrupt", m -> notices.add(m.body()))
          .completion().await();
      Path spool = dir.resolve("spool");
      String queueId = PostinoInternals.spool(server.postino).newQueueId();
      Envelope envelope = SpoolTesting.envelope(queueId, Instant.now(), new MailAddress("bob", "local.example"));
      byte[] content = "Subject: transfer\r\n\r\nPlease pay 1000 EUR to account 12345678.\r\n"
          .getBytes(StandardCharsets.US_ASCII);
      byte[] file = spoolFile(envelope, content);
      // cut inside the amount: delivered as it is, the message would say something else
      byte[] cut = Arrays.copyOf(file, file.length - content.length + 34);
      Path tmp = spool.resolve("tmp").resolve(queueId);
      Files.write(tmp, cut);
      Files.move(tmp, spool.resolve("incoming").resolve(queueId), StandardCopyOption.ATOMIC_MOVE);

      server.postino.queue().flush().await();

      JsonObject notice = notices.poll(20, TimeUnit.SECONDS);
      assertNotNull(notice, "no postino.queue.corrupt notice");
      assertEquals(queueId, notice.getString("queueId"));
      assertTrue(notice.getString("reason").contains("octets"), notice.encode());
      assertEquals(List.of(spool.resolve("corrupt").resolve(queueId)), TestServer.files(spool.resolve("corrupt")));
      assertEquals(List.of(), server.spooled());
      assertEquals(List.of(), server.mailbox("local.example", "bob"));
    }
  }

  private static byte[] spoolFile(Envelope envelope, byte[] content) {
    byte[] header = SpoolFileFormat.header(envelope);
    CRC32C crc = new CRC32C();
    crc.update(content);
    SpoolFileFormat.seal(header, content.length, crc.getValue());
    byte[] file = Arrays.copyOf(header, header.length + content.length);
    System.arraycopy(content, 0, file, header.length, content.length);
    return file;
  }
}
