package io.postino.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Environment variables and system properties that override the configuration file, for
 * containers and service managers. Every key has both forms: its JSON path with
 * {@code postino.} in front for a system property ({@code -Dpostino.smtp.maxMessageSize=1000000},
 * segments matched without regard to case), and the same path upper-cased with {@code _} between
 * segments and {@code POSTINO_} in front for an environment variable
 * ({@code POSTINO_SMTP_MAXMESSAGESIZE=1000000}). A value is read as JSON when it is JSON
 * ({@code 25}, {@code true}, {@code ["a.example","b.example"]}, {@code {"a.example":["bob"]}},
 * {@code "25"} for a string of digits), else taken as a string ({@code mx.example.com}); an object
 * (a section, {@code localUsers}, {@code dns.routes}) is replaced whole.
 *
 * <p>Precedence: system property, then environment variable, then the file, then the default. A
 * {@code POSTINO_*} variable or {@code postino.*} property that names no key is an error, with the
 * nearest key suggested: the prefix is Postino's, as the configuration file's keys are.
 */
public final class Overrides {

  public static final String ENV_PREFIX = "POSTINO_";
  public static final String PROPERTY_PREFIX = "postino.";

  private Overrides() {
  }

  /**
   * The configuration with the overrides applied.
   *
   * @param file       the configuration file's object (not changed)
   * @param known      every key there is, as {@link JsonReader#knownKeys()} gives it
   * @param env        the environment (only {@code POSTINO_*} names are read)
   * @param properties the system properties (only {@code postino.*} names are read)
   * @throws ConfigException for a name that matches no key
   */
  public static JsonObject apply(JsonObject file, JsonObject known, Map<String, String> env,
      Map<String, String> properties) {
    JsonObject config = file.copy();
    // sorted, so that the outcome of two overrides of one object does not depend on hash order
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      if (e.getKey().startsWith(ENV_PREFIX) && e.getKey().length() > ENV_PREFIX.length()) {
        String[] segments = e.getKey().substring(ENV_PREFIX.length()).split("_", -1);
        set(config, resolve(known, segments, "environment variable " + e.getKey()), e.getValue());
      }
    }
    for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
      if (e.getKey().startsWith(PROPERTY_PREFIX) && e.getKey().length() > PROPERTY_PREFIX.length()) {
        String[] segments = e.getKey().substring(PROPERTY_PREFIX.length()).split("\\.", -1);
        set(config, resolve(known, segments, "system property " + e.getKey()), e.getValue());
      }
    }
    return config;
  }

  /** The environment variable of a JSON path: {@code smtp.maxMessageSize} is {@code POSTINO_SMTP_MAXMESSAGESIZE}. */
  public static String environmentName(String path) {
    return ENV_PREFIX + path.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** The path's segments as the configuration spells them. */
  private static List<String> resolve(JsonObject known, String[] segments, String source) {
    List<String> path = new ArrayList<>();
    JsonObject level = known;
    for (int i = 0; i < segments.length; i++) {
      if (level == null) {
        throw new ConfigException(source + ": " + String.join(".", path) + " is not an object");
      }
      String key = match(level, segments[i]);
      if (key == null) {
        String suggestion = nearest(level, segments[i]);
        String at = path.isEmpty() ? "" : String.join(".", path) + ".";
        throw new ConfigException(source + ": no configuration key " + at + segments[i].toLowerCase(Locale.ROOT)
            + (suggestion == null ? "" : " (did you mean " + at + suggestion + "?)"));
      }
      path.add(key);
      level = level.getValue(key) instanceof JsonObject o ? o : null;
    }
    return path;
  }

  private static String match(JsonObject level, String segment) {
    for (String key : level.fieldNames()) {
      if (key.equalsIgnoreCase(segment)) {
        return key;
      }
    }
    return null;
  }

  private static String nearest(JsonObject level, String segment) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String key : level.fieldNames()) {
      int d = EditDistance.between(segment.toLowerCase(Locale.ROOT), key.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = key;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(2, segment.length() / 3) ? best : null;
  }

  private static void set(JsonObject config, List<String> path, String raw) {
    JsonObject level = config;
    for (int i = 0; i < path.size() - 1; i++) {
      Object next = level.getValue(path.get(i));
      if (!(next instanceof JsonObject)) {
        next = new JsonObject();
        level.put(path.get(i), next);
      }
      level = (JsonObject) next;
    }
    level.put(path.get(path.size() - 1), value(raw));
  }

  /** JSON when it is JSON, else the text itself. */
  private static Object value(String raw) {
    try {
      Object v = Json.decodeValue(raw);
      return v == null ? raw : v;
    } catch (DecodeException e) {
      return raw;
    }
  }
}
