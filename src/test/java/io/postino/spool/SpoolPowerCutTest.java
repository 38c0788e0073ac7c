package io.postino.spool;

import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.envelope;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.smtp.MailAddress;
import io.postino.testing.PowerCutFileSystem;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole spool under the power-cut model ({@link PowerCutFileSystem}): small (journaled) and
 * large messages are committed, removed durably and not, held and deleted; every state a power
 * cut could leave on the way (and, from each, during the next start) is opened again, and must
 * hold every acknowledged message whole, in {@code incoming} or {@code hold}, and none whose
 * removal was durable.
 */
@ExtendWith(VertxExtension.class)
class SpoolPowerCutTest {

  private static final MailAddress ALICE = new MailAddress("alice", "example.com");
  private static final Instant RECEIVED = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir
  Path dir;

  private PowerCutFileSystem fs;
  private Spool spool;
  private Context context;
  /** Every message's spool file, and the image from which on it must survive. */
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
  /** The last image before a removal started; the first image after a durable one finished. */
  private final Map<String, Integer> leaving = new ConcurrentHashMap<>();
  private final Map<String, Integer> removed = new ConcurrentHashMap<>();
  private final Map<String, Integer> held = new ConcurrentHashMap<>();

  @Test
  void noAcknowledgedMessageIsLostWhereverThePowerGoes(Vertx vertx) throws Exception {
    fs = PowerCutFileSystem.over(Files.createDirectory(dir.resolve("spool")));
    spool = await(Spool.open(vertx, fs.root()));
    context = vertx.getOrCreateContext();
    fs.recordImages();

    SpooledMessage a = await(store("small a", 100));
    List<SpooledMessage> more = await(Future.all(store("small b", 2_000), store("large", 300_000),
        store("small c", 50_000))).list();
    SpooledMessage b = more.get(0);
    String large = more.get(1).queueId();
    SpooledMessage c = more.get(2);
    remove(a, true);
    remove(b, false);
    assertTrue(await(spool.hold(large)));
    held.put(large, fs.imageCount());
    leaving.put(c.queueId(), fs.imageCount());
    assertTrue(await(spool.delete(c.queueId())));
    removed.put(c.queueId(), fs.imageCount());
    // a journaled message on hold, deleted: never back in incoming, from its journal record, on the way
    SpooledMessage e = await(store("small e", 30));
    assertTrue(await(spool.hold(e.queueId())));
    held.put(e.queueId(), fs.imageCount());
    leaving.put(e.queueId(), fs.imageCount());
    assertTrue(await(spool.delete(e.queueId())));
    removed.put(e.queueId(), fs.imageCount());
    await(store("small d", 10));
    // over 64 KiB, committed alone: journaled, where among other commits it has a file of its own
    await(store("large alone", 100_000));

    List<PowerCutFileSystem.Image> images = fs.images();
    assertTrue(images.size() > 10, "images: " + images.size());
    PowerCutFileSystem check = PowerCutFileSystem.over(Files.createDirectory(dir.resolve("check")));
    PowerCutFileSystem again = PowerCutFileSystem.over(Files.createDirectory(dir.resolve("again")));
    Set<String> seen = new HashSet<>();
    for (int k = 0; k < images.size(); k++) {
      if (!seen.add(k + images.get(k).digest())) {
        continue;
      }
      String at = "power cut at image " + k + " of " + images.size();
      check.restore(images.get(k));
      check.recordImages();
      reopenAndVerify(vertx, check, k, at);
      for (PowerCutFileSystem.Image during : check.images()) {
        if (!seen.add(k + during.digest())) {
          continue;
        }
        again.restore(during);
        reopenAndVerify(vertx, again, k, at + ", then again during the next start");
      }
    }
  }

  private Future<SpooledMessage> store(String subject, int octets) {
    byte[] content = ("Subject: " + subject + "\r\n\r\n" + "x".repeat(octets) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, ALICE);
    return SpoolTesting.store(context, spool, envelope, content).compose(m -> context.executeBlocking(() -> {
      // what the spool wrote is what a start must find
      files.put(m.queueId(), SpoolTesting.wholeFile(spool, m));
      acknowledged.put(m.queueId(), fs.imageCount());
      return m;
    }));
  }

  private void remove(SpooledMessage message, boolean durable) throws Exception {
    leaving.put(message.queueId(), fs.imageCount());
    await(spool.remove(message, durable));
    if (durable) {
      removed.put(message.queueId(), fs.imageCount());
    }
  }

  private void reopenAndVerify(Vertx vertx, PowerCutFileSystem state, int image, String at) throws Exception {
    Path root = state.root();
    await(Spool.open(vertx, root));
    Path incoming = root.resolve("incoming");
    Path hold = root.resolve("hold");
    for (Map.Entry<String, Integer> e : acknowledged.entrySet()) {
      String id = e.getKey();
      if (e.getValue() <= image && leaving.getOrDefault(id, Integer.MAX_VALUE) >= image) {
        Path file = Files.exists(incoming.resolve(id)) ? incoming.resolve(id) : hold.resolve(id);
        assertTrue(Files.exists(file), at + ": acknowledged " + id + " is lost");
        assertArrayEquals(files.get(id), Files.readAllBytes(file), at + ": " + id + " is not whole");
      }
      if (held.getOrDefault(id, Integer.MAX_VALUE) <= image) {
        assertFalse(Files.exists(incoming.resolve(id)), at + ": held " + id + " is back in incoming");
      }
    }
    removed.forEach((id, since) -> {
      if (since <= image) {
        assertFalse(Files.exists(incoming.resolve(id)) || Files.exists(hold.resolve(id)),
            at + ": durably removed " + id + " is back");
      }
    });
    for (Path queue : List.of(incoming, hold)) {
      try (Stream<Path> list = Files.list(queue)) {
        for (Path file : list.toList()) {
          byte[] expected = files.get(file.getFileName().toString());
          assertNotNull(expected, at + ": " + file + " is none of the test's messages");
          assertArrayEquals(expected, Files.readAllBytes(file), at + ": " + file + " is not whole");
        }
      }
    }
  }
}
