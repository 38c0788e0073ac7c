package io.postino.cli;

import io.postino.PostinoOptions;
import io.postino.dkim.DkimKey;
import io.postino.dkim.Algorithm;
import io.postino.dkim.DkimOptions;
import io.postino.dkim.KeyFiles;
import io.postino.dkim.KeyRecord;
import io.postino.dns.MxResolverOptions;
import io.postino.dns.TxtLookup;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code postino dkim keygen DOMAIN SELECTOR}: makes a signing key (PKCS#8 PEM, mode 0600) and
 * prints the DNS record to publish and the configuration to add; {@code postino dkim check DOMAIN
 * SELECTOR}: fetches the published record through the configured DNS servers and says whether it
 * matches the key.
 *
 * <p>Exit status: 0 done (check: the record matches), 1 the record does not match the key, 2 no
 * record is published (or it is no usable key record), 64 ({@code EX_USAGE}) an invalid command
 * line, 66 ({@code EX_NOINPUT}) no key to check, 73 ({@code EX_CANTCREAT}) the key cannot be
 * written, 75 ({@code EX_TEMPFAIL}) DNS did not answer, 78 ({@code EX_CONFIG}) the configuration
 * cannot be read.
 */
@Command(name = "dkim", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = DkimCommand.USAGE,
    description = "Make DKIM signing keys and check their published DNS records.",
    subcommands = {DkimCommand.Keygen.class, DkimCommand.Check.class},
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {"0:done; check: the published record matches the key", "1:the record does not match the key",
        "2:no usable key record is published", "64:invalid command line", "66:no key to check",
        "73:the key file cannot be written", "75:DNS did not answer", "78:the configuration is invalid"})
public class DkimCommand implements Callable<Integer> {

  public static final int OK = 0;
  public static final int MISMATCH = 1;
  public static final int NO_RECORD = 2;
  public static final int USAGE = 64;
  public static final int NO_KEY = 66;
  public static final int CANNOT_WRITE = 73;
  public static final int TEMPORARY = 75;
  public static final int CONFIG_ERROR = Main.CONFIG_ERROR;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }

  @Command(name = "keygen", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = USAGE,
      description = "Make a signing key for DOMAIN and SELECTOR and print the DNS record to publish.")
  static final class Keygen implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DOMAIN", description = "the signing domain, e.g. example.org")
    String domain;

    @Parameters(index = "1", paramLabel = "SELECTOR", description = "the selector, e.g. s2026r")
    String selector;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "rsa",
        description = "rsa or ed25519 (default: ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--bits", paramLabel = "N", defaultValue = "2048",
        description = "RSA key size, at least 2048 (default: ${DEFAULT-VALUE})")
    int bits;

    @Option(names = "--out", paramLabel = "FILE",
        description = "where to write the key (default: conf/dkim/DOMAIN.SELECTOR.pem); an existing file is kept")
    Path out;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      Algorithm algorithm = switch (type.toLowerCase(Locale.ROOT)) {
        case "rsa" -> Algorithm.RSA_SHA256;
        case "ed25519" -> Algorithm.ED25519_SHA256;
        default -> null;
      };
      if (algorithm == null || algorithm == Algorithm.RSA_SHA256 && bits < Algorithm.MIN_RSA_BITS) {
        err.println("dkim keygen: " + (algorithm == null ? "--type is rsa or ed25519, not " + type
            : "RSA keys have at least " + Algorithm.MIN_RSA_BITS + " bits"));
        return USAGE;
      }
      DkimOptions.KeyFile checked;
      Path file = out != null ? out : Path.of("conf", "dkim", domain.toLowerCase(Locale.ROOT) + "." + selector + ".pem");
      try {
        checked = new DkimOptions.KeyFile(selector, file.toString());
      } catch (IllegalArgumentException e) {
        err.println("dkim keygen: " + e.getMessage());
        return USAGE;
      }
      if (Files.exists(file)) {
        err.println("dkim keygen: " + file + " exists; remove it or choose another --out (a key in use is never replaced)");
        return CANNOT_WRITE;
      }
      KeyPair pair;
      try {
        pair = algorithm.generate(bits);
        if (file.getParent() != null) {
          Files.createDirectories(file.getParent());
        }
        KeyFiles.write(file, pair.getPrivate());
      } catch (IOException | GeneralSecurityException e) {
        err.println("dkim keygen: cannot write " + file + ": " + e.getMessage());
        return CANNOT_WRITE;
      }
      PrintWriter o = spec.commandLine().getOut();
      o.println("; " + algorithm.tag() + " key written to " + file + " (mode 0600). Publish this record:");
      o.println(new KeyRecord(algorithm, pair.getPublic()).zoneLine(DkimKey.recordName(domain, selector)));
      o.println("; then add the key to the \"dkim\" configuration:");
      o.println("; \"dkim\": {\"domains\": {\"" + domain.toLowerCase(Locale.ROOT) + "\": [{\"selector\": \""
          + checked.selector() + "\", \"key\": \"" + checked.key() + "\"}]}}");
      o.flush();
      return OK;
    }
  }

  @Command(name = "check", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = USAGE,
      description = "Fetch the published key record of DOMAIN and SELECTOR and say whether it matches the key.")
  static final class Check implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DOMAIN", description = "the signing domain")
    String domain;

    @Parameters(index = "1", paramLabel = "SELECTOR", description = "the selector")
    String selector;

    @Option(names = "--key", paramLabel = "FILE",
        description = "the private key (default: the one dkim.domains configures for DOMAIN and SELECTOR)")
    Path key;

    @Option(names = "--dns", paramLabel = "HOST:PORT",
        description = "DNS server to ask, repeatable (default: dns.servers of the configuration, else /etc/resolv.conf)")
    List<String> dns;

    @Option(names = {"-conf", "--conf"}, paramLabel = "FILE",
        description = "JSON configuration file (default: conf/postino.json when it exists)")
    Path conf;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      PrintWriter o = spec.commandLine().getOut();
      PostinoOptions config;
      try {
        config = new PostinoOptions(Main.readConfig(conf));
      } catch (IOException | RuntimeException e) {
        err.println("dkim check: invalid configuration: " + e.getMessage());
        return CONFIG_ERROR;
      }
      Path keyFile = key != null ? key : configured(config.getDkim());
      if (keyFile == null) {
        err.println("dkim check: no key for selector " + selector + " of " + domain + " in dkim.domains; give --key FILE");
        return NO_KEY;
      }
      PrivateKey privateKey;
      try {
        privateKey = KeyFiles.read(keyFile);
      } catch (IOException | GeneralSecurityException e) {
        err.println("dkim check: cannot read the key " + keyFile + ": " + e.getMessage());
        return NO_KEY;
      }
      MxResolverOptions resolver = config.resolverOptions();
      if (dns != null && !dns.isEmpty()) {
        resolver.setServers(dns);
      }
      String name = DkimKey.recordName(domain, selector);
      List<String> records;
      Vertx vertx = Vertx.vertx();
      try {
        records = TxtLookup.create(vertx, resolver).txt(name).toCompletionStage().toCompletableFuture().join();
      } catch (CompletionException e) {
        if (TxtLookup.isNxDomain(e.getCause())) {
          records = List.of();
        } else {
          err.println("dkim check: " + name + ": " + TxtLookup.describe(e.getCause()));
          return TEMPORARY;
        }
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().join();
      }
      if (records.isEmpty()) {
        o.println(name + ": no TXT record is published");
        o.flush();
        return NO_RECORD;
      }
      String text = String.join(" | ", records);
      try {
        KeyRecord published = KeyRecord.firstUsable(records);
        boolean matches = published.matches(privateKey);
        o.println(name + ": " + (matches ? "OK, the published " + published.algorithm().keyType()
            + " key matches " + keyFile : "MISMATCH, the published key is not the key in " + keyFile));
        o.flush();
        return matches ? OK : MISMATCH;
      } catch (GeneralSecurityException e) {
        o.println(name + ": not a usable DKIM key record (" + e.getMessage() + "): " + text);
        o.flush();
        return NO_RECORD;
      }
    }

    private Path configured(DkimOptions dkim) {
      return dkim.getDomains().getOrDefault(domain.toLowerCase(Locale.ROOT), List.of()).stream()
          .filter(k -> k.selector().equals(selector))
          .map(k -> Path.of(k.key()))
          .findFirst().orElse(null);
    }
  }
}
