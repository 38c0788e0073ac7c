package io.postino.alias;

import io.postino.config.StartupException;
import io.postino.files.FileWatcher;
import io.postino.files.SecretFiles;
import io.postino.smtp.MailAddress;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aliases in force on a node: those of the configuration, then those of the alias file, which
 * is watched and read again when it changes (as the AUTH users file is: a file that no longer reads
 * is logged and the aliases in force stay), and the SRS key. A verticle, so that undeploying the
 * node's listeners stops the watching; every session of every event loop reads the one
 * {@link #expander()} of the moment.
 */
public final class Aliases extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(Aliases.class);

  private final AliasOptions options;
  private final Path file;
  private final Path secretFile;
  private volatile AliasExpander expander;
  private volatile Srs srs;
  private FileWatcher watcher;

  /** @param defaultSecretFile the SRS key file when {@code srs.secretFile} does not name one */
  public Aliases(AliasOptions options, Path defaultSecretFile) {
    this.options = new AliasOptions(options);
    this.file = options.getAliasesFile() == null ? null : Path.of(options.getAliasesFile());
    this.secretFile = options.getSrs().getSecretFile() == null ? defaultSecretFile
        : Path.of(options.getSrs().getSecretFile());
    this.expander = expander(options.getAliases());
  }

  @Override
  public Future<?> start() {
    SrsOptions s = options.getSrs();
    Future<Srs> key = !s.isEnabled() ? Future.succeededFuture()
        : vertx.executeBlocking(() -> s.getSecret() != null ? s.getSecret() : SecretFiles.readOrCreate(secretFile))
            .recover(e -> Future.failedFuture(StartupException.path("srs.secretFile", secretFile, e)))
            .map(secret -> new Srs(secret.strip().getBytes(StandardCharsets.UTF_8), s.getMaxAge()));
    return key.compose(k -> {
      srs = k;
      expander = expander(options.getAliases());
      if (file == null) {
        return Future.succeededFuture();
      }
      return vertx.executeBlocking(() -> {
        FileWatcher.Snapshot before = FileWatcher.snapshot(List.of(file));
        AliasTable read = AliasFile.read(file);
        expander = expander(options.getAliases().with(read));
        log.info("aliases: {} from {}", read.size(), file.toAbsolutePath());
        return before;
      }).recover(e -> Future.failedFuture(StartupException.path("aliasesFile", file, e)))
          .map(before -> {
            watcher = FileWatcher.watch(vertx, List.of(file), options.getWatchInterval(), before,
                () -> reload().onFailure(e -> log.warn("aliases: cannot reload {}, the aliases in force stay: {}",
                    file, e.getMessage())));
            return null;
          });
    });
  }

  @Override
  public Future<?> stop() {
    if (watcher != null) {
      watcher.close();
    }
    return Future.succeededFuture();
  }

  /** Reads the alias file again (it is also read when it changes); succeeds with the number of its entries. */
  public Future<Integer> reload() {
    if (file == null) {
      return Future.succeededFuture(0);
    }
    return vertx.executeBlocking(() -> AliasFile.read(file), false).map(read -> {
      expander = expander(options.getAliases().with(read));
      log.info("aliases: reloaded {}: {} entries", file.toAbsolutePath(), read.size());
      return read.size();
    });
  }

  /** The expansion of the moment. */
  public AliasExpander expander() {
    return expander;
  }

  /** The options these aliases were started with. */
  public AliasOptions options() {
    return options;
  }

  /**
   * The sender to give a copy of a message forwarded by {@code forwardingDomain} (a local domain, the
   * recipient's): the SRS form of {@code sender}, or null to keep it (SRS off, or the null sender).
   */
  public MailAddress forwardingSender(MailAddress sender, String forwardingDomain) {
    Srs key = srs;
    if (key == null || sender.isNullSender()) {
      return null;
    }
    String domain = options.getSrs().getDomain() != null ? options.getSrs().getDomain() : forwardingDomain;
    return key.forward(sender, domain, today());
  }

  /** Days since 1970-01-01 in UTC: the SRS timestamp's unit. */
  public static long today() {
    return LocalDate.now(ZoneOffset.UTC).toEpochDay();
  }

  private AliasExpander expander(AliasTable table) {
    return new AliasExpander(table, options.getRecipientDelimiter(), options.getPostmasterAddress(),
        options.getMaxDepth(), options.getExpansionLimit(), srs, options.getSrs().getDomain());
  }
}
