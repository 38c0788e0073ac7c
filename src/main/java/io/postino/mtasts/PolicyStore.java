package io.postino.mtasts;

import io.postino.files.AtomicFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy cache on disk, so that a restart does not forget the policies that protect mail from
 * a downgrade (RFC 8461 section 5.1): one JSON file per domain, {@code <domain>.json}, replaced
 * whole ({@link AtomicFiles}), written and read on a worker, one write at a time.
 */
final class PolicyStore {

  private static final Logger LOG = LoggerFactory.getLogger(PolicyStore.class);
  /** A domain name as a file name: letters, digits, hyphens and inner dots only, never a path. */
  private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

  private final Vertx vertx;
  private final Path dir;
  private Future<Void> writes = Future.succeededFuture();

  PolicyStore(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir;
  }

  Path directory() {
    return dir;
  }

  /** The policies kept, expired ones included (the caller decides); files it cannot read are skipped. */
  Future<Map<String, CachedPolicy>> load() {
    return vertx.executeBlocking(() -> {
      Map<String, CachedPolicy> policies = new HashMap<>();
      if (!Files.isDirectory(dir)) {
        return policies;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
        for (Path file : files) {
          try {
            CachedPolicy p = CachedPolicy.fromJson(new JsonObject(Buffer.buffer(Files.readAllBytes(file))));
            if (file.getFileName().toString().equals(p.domain() + ".json")) {
              policies.put(p.domain(), p);
            }
          } catch (IOException | RuntimeException e) {
            LOG.warn("MTA-STS policy cache: ignoring {}: {}", file, e.toString());
          }
        }
      }
      return policies;
    }, false);
  }

  /** Keeps {@code policy} (a domain that cannot be a file name is kept in memory only). */
  Future<Void> save(CachedPolicy policy) {
    Path file = file(policy.domain());
    if (file == null) {
      return Future.succeededFuture();
    }
    byte[] content = policy.toJson().encodePrettily().getBytes(StandardCharsets.UTF_8);
    return serially(() -> AtomicFiles.write(file, content, false));
  }

  /** Forgets the policy of {@code domain} (it expired). */
  Future<Void> delete(String domain) {
    Path file = file(domain);
    return file == null ? Future.succeededFuture() : serially(() -> {
      try {
        Files.delete(file);
      } catch (NoSuchFileException e) {
        // already gone
      }
    });
  }

  private interface Io {
    void run() throws IOException;
  }

  /** Writes one after the other, so that an older policy never lands over a newer one. */
  private synchronized Future<Void> serially(Io io) {
    Future<Void> next = writes.transform(ignored -> vertx.<Void>executeBlocking(() -> {
      io.run();
      return null;
    }, false));
    writes = next.otherwiseEmpty();
    return next.onFailure(e -> LOG.warn("MTA-STS policy cache: could not write under {}: {}", dir, e.toString()));
  }

  private Path file(String domain) {
    String d = domain.toLowerCase(Locale.ROOT);
    return DOMAIN.matcher(d).matches() ? dir.resolve(d + ".json") : null;
  }
}
