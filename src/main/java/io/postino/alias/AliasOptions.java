package io.postino.alias;

import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.postino.smtp.MailAddress;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where mail for an address goes besides its own mailbox: the virtual aliases (the top-level
 * {@code aliases} object and the {@code aliasesFile}), their limits, the recipient delimiter of
 * subaddresses, the postmaster's address, and SRS for what is forwarded ({@code srs}). The keys are
 * top-level keys of {@code conf/postino.json}, as Postfix's parameters are.
 */
public final class AliasOptions {

  /** Postfix's recipient_delimiter (off there by default; {@code +} is what Postfix's documentation suggests). */
  public static final String DEFAULT_RECIPIENT_DELIMITER = "+";
  public static final int DEFAULT_MAX_DEPTH = 20;
  /** Postfix's virtual_alias_expansion_limit. */
  public static final int DEFAULT_EXPANSION_LIMIT = 1000;
  public static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofSeconds(5);

  private AliasTable aliases = AliasTable.EMPTY;
  private Map<String, List<String>> rawAliases = Map.of();
  private String aliasesFile;
  private Duration watchInterval = DEFAULT_WATCH_INTERVAL;
  private int maxDepth = DEFAULT_MAX_DEPTH;
  private int expansionLimit = DEFAULT_EXPANSION_LIMIT;
  private String recipientDelimiter = DEFAULT_RECIPIENT_DELIMITER;
  private String postmasterAddress;
  private SrsOptions srs = new SrsOptions();

  public AliasOptions() {
  }

  public AliasOptions(AliasOptions other) {
    this.aliases = other.aliases;
    this.rawAliases = other.rawAliases;
    this.aliasesFile = other.aliasesFile;
    this.watchInterval = other.watchInterval;
    this.maxDepth = other.maxDepth;
    this.expansionLimit = other.expansionLimit;
    this.recipientDelimiter = other.recipientDelimiter;
    this.postmasterAddress = other.postmasterAddress;
    this.srs = new SrsOptions(other.srs);
  }

  /** Reads this part of a whole configuration: keys of {@code root} itself and its {@code srs} object. */
  public AliasOptions(JsonReader root) {
    JsonReader map = root.object("aliases");
    Map<String, List<String>> raw = new LinkedHashMap<>();
    for (String key : map.fieldNames()) {
      // one target as a string, several as an array
      raw.put(key, map.raw(key) instanceof String s ? List.of(s) : map.stringList(key, List.of()));
    }
    root.apply("aliases", () -> setAliases(raw));
    String file = root.string("aliasesFile", null);
    if (file != null) {
      setAliasesFile(file);
    }
    Duration interval = root.seconds("aliasesWatchInterval", DEFAULT_WATCH_INTERVAL);
    root.apply("aliasesWatchInterval", () -> setWatchInterval(interval));
    int depth = root.integer("aliasMaxDepth", DEFAULT_MAX_DEPTH);
    root.apply("aliasMaxDepth", () -> setMaxDepth(depth));
    int limit = root.integer("aliasExpansionLimit", DEFAULT_EXPANSION_LIMIT);
    root.apply("aliasExpansionLimit", () -> setExpansionLimit(limit));
    String delimiter = root.string("recipientDelimiter", DEFAULT_RECIPIENT_DELIMITER);
    root.apply("recipientDelimiter", () -> setRecipientDelimiter(delimiter));
    String postmaster = root.string("postmasterAddress", null);
    if (postmaster != null) {
      root.apply("postmasterAddress", () -> setPostmasterAddress(postmaster));
    }
    setSrs(root.section("srs", SrsOptions::new));
  }

  /** The keys this reads, as the configuration writes them (for a reload's comparison). */
  public void putJson(JsonObject root) {
    JsonObject map = new JsonObject();
    rawAliases.forEach((k, v) -> map.put(k, new JsonArray(v)));
    root.put("aliases", map).put("aliasesFile", aliasesFile).put("aliasesWatchInterval", Seconds.of(watchInterval))
        .put("aliasMaxDepth", maxDepth).put("aliasExpansionLimit", expansionLimit)
        .put("recipientDelimiter", recipientDelimiter).put("postmasterAddress", postmasterAddress)
        .put("srs", srs.toJson());
  }

  /** The {@code aliases} of the configuration, checked. */
  public AliasTable getAliases() {
    return aliases;
  }

  /**
   * @throws IllegalArgumentException for a key or target that is neither an address nor {@code @domain}
   */
  public AliasOptions setAliases(Map<String, List<String>> aliases) {
    this.aliases = AliasTable.of(aliases, "aliases");
    Map<String, List<String>> copy = new LinkedHashMap<>();
    aliases.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    this.rawAliases = copy;
    return this;
  }

  /** The alias file, watched and read again when it changes; null for none. */
  public String getAliasesFile() {
    return aliasesFile;
  }

  public AliasOptions setAliasesFile(String aliasesFile) {
    this.aliasesFile = aliasesFile;
    return this;
  }

  public Duration getWatchInterval() {
    return watchInterval;
  }

  public AliasOptions setWatchInterval(Duration watchInterval) {
    this.watchInterval = Seconds.positive("aliasesWatchInterval", watchInterval);
    return this;
  }

  /** How many aliases deep an expansion may go before it is taken for a loop. */
  public int getMaxDepth() {
    return maxDepth;
  }

  public AliasOptions setMaxDepth(int maxDepth) {
    if (maxDepth < 1) {
      throw new IllegalArgumentException("aliasMaxDepth must be positive: " + maxDepth);
    }
    this.maxDepth = maxDepth;
    return this;
  }

  /** How many addresses one recipient may expand to. */
  public int getExpansionLimit() {
    return expansionLimit;
  }

  public AliasOptions setExpansionLimit(int expansionLimit) {
    if (expansionLimit < 1) {
      throw new IllegalArgumentException("aliasExpansionLimit must be positive: " + expansionLimit);
    }
    this.expansionLimit = expansionLimit;
    return this;
  }

  /** The characters that start a subaddress ({@code alice+news}); empty: none. */
  public String getRecipientDelimiter() {
    return recipientDelimiter;
  }

  public AliasOptions setRecipientDelimiter(String recipientDelimiter) {
    if (recipientDelimiter.chars().anyMatch(c -> c == '@' || c == '"' || c == '\\' || c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("recipientDelimiter: printable ASCII other than @, \" and \\ expected: "
          + recipientDelimiter);
    }
    this.recipientDelimiter = recipientDelimiter;
    return this;
  }

  /** Where postmaster@ and abuse@ of a local domain go when they have no alias or user; null: postmaster@ the first local domain. */
  public String getPostmasterAddress() {
    return postmasterAddress;
  }

  public AliasOptions setPostmasterAddress(String postmasterAddress) {
    this.postmasterAddress = postmasterAddress == null ? null
        : MailAddress.parse(postmasterAddress).address();
    return this;
  }

  public SrsOptions getSrs() {
    return srs;
  }

  public AliasOptions setSrs(SrsOptions srs) {
    this.srs = Objects.requireNonNull(srs, "srs");
    return this;
  }
}
