package io.postino.dkim;

import io.postino.files.FileWatcher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signing keys of every configured domain, read from their PEM files at start and again when
 * any of the files changes (a new key put in place of the old one, or a rotation's new selector
 * written before the configuration names it), as TLS certificates are. A reload that fails keeps
 * the keys in use and says why in the log. Thread-safe: the keys are swapped whole.
 */
final class SigningKeys {

  private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

  private final Vertx vertx;
  private final Map<String, List<DkimOptions.KeyFile>> files;
  private volatile Map<String, List<DkimKey>> keys = Map.of();
  private FileWatcher watcher;

  private SigningKeys(Vertx vertx, Map<String, List<DkimOptions.KeyFile>> files) {
    this.vertx = vertx;
    this.files = files;
  }

  /** Reads the keys on a worker and starts watching their files; fails when a key cannot be read. */
  static Future<SigningKeys> start(Vertx vertx, DkimOptions options) {
    SigningKeys signing = new SigningKeys(vertx, options.getDomains());
    return vertx.executeBlocking(() -> {
      FileWatcher.Snapshot before = FileWatcher.snapshot(signing.paths());
      signing.keys = signing.load();
      signing.keys.forEach((domain, keys) -> keys.forEach(k -> log.info("DKIM: signing for {} with {} ({})", domain,
          k.recordName(), k.algorithm().tag())));
      return before;
    }).map(before -> {
      if (signing.files.isEmpty()) {
        return signing;
      }
      signing.watcher = FileWatcher.watch(vertx, signing.paths(), options.getWatchInterval(), before, signing::reload);
      return signing;
    });
  }

  /** The keys of a (lower-case) domain, empty when it has none. */
  List<DkimKey> of(String domain) {
    return keys.getOrDefault(domain, List.of());
  }

  void close() {
    if (watcher != null) {
      watcher.close();
    }
  }

  private List<Path> paths() {
    return files.values().stream().flatMap(List::stream).map(k -> Path.of(k.key())).toList();
  }

  /** Blocking. */
  private Map<String, List<DkimKey>> load() throws IOException, GeneralSecurityException {
    Map<String, List<DkimKey>> loaded = new LinkedHashMap<>();
    for (Map.Entry<String, List<DkimOptions.KeyFile>> domain : files.entrySet()) {
      List<DkimKey> keys = new ArrayList<>();
      for (DkimOptions.KeyFile file : domain.getValue()) {
        try {
          var key = KeyFiles.read(Path.of(file.key()));
          keys.add(new DkimKey(domain.getKey(), file.selector(), Algorithm.of(key), key));
        } catch (IOException | GeneralSecurityException e) {
          throw new GeneralSecurityException("DKIM key " + file.selector() + " of " + domain.getKey() + " ("
              + file.key() + "): " + e.getMessage(), e);
        }
      }
      loaded.put(domain.getKey(), List.copyOf(keys));
    }
    return Map.copyOf(loaded);
  }

  /** A key file changed: reads them all again, on a worker. */
  Future<Void> reload() {
    return vertx.executeBlocking(this::load, false)
        .onSuccess(loaded -> {
          keys = loaded;
          log.info("DKIM: key files changed, keys reloaded");
        })
        .onFailure(e -> log.error("DKIM: keys not reloaded, still signing with the previous ones: {}", e.getMessage()))
        .mapEmpty();
  }
}
