package io.postino.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads one JSON object of the configuration with the types the options expect, and remembers the
 * keys it was asked for, so that {@link #reportUnknown()} can refuse a key nobody reads: a typo'd
 * limit silently left at its default is worse than a server that does not start. Every error names
 * the full JSON path ({@code smtp.maxConnections}).
 *
 * <p>A JSON {@code null} counts as an absent key: the default applies. Not thread-safe; one reader
 * reads one configuration, once.
 */
public final class JsonReader {

  private final JsonObject json;
  private final String path;
  /** Every key asked for, present or not: the known names, and the candidates of "did you mean". */
  private final Set<String> asked = new LinkedHashSet<>();
  private final List<JsonReader> children = new ArrayList<>();
  /** Null: the first problem is thrown. Else every problem is collected here, and the default read instead. */
  private final List<String> problems;
  /** A section whose reading stopped at a value out of range: its later keys were never asked for. */
  private boolean incomplete;

  private JsonReader(JsonObject json, String path, List<String> problems) {
    this.json = json == null ? new JsonObject() : json;
    this.path = path;
    this.problems = problems;
  }

  /** A reader of the top level of a configuration: paths are the bare keys. */
  public static JsonReader of(JsonObject json) {
    return new JsonReader(json, "", null);
  }

  /** A reader of one section, whose keys are reported under {@code path} ({@code "smtp"}). */
  public static JsonReader of(JsonObject json, String path) {
    return new JsonReader(json, path, null);
  }

  /**
   * A reader of a whole configuration that throws nothing: each wrong type, value out of range
   * and unknown key goes to {@link #problems()}, and the default is read in its place, so that
   * {@code check-config} can list every problem at once.
   */
  public static JsonReader collecting(JsonObject json) {
    return new JsonReader(json, "", new ArrayList<>());
  }

  /** The problems a {@link #collecting} reader found, each naming its JSON path; empty for the other readers. */
  public List<String> problems() {
    return problems == null ? List.of() : List.copyOf(problems);
  }

  /**
   * Runs a setter of a value read from this object: a value out of range
   * ({@link IllegalArgumentException}) is thrown as a {@link ConfigException} under {@code key}'s
   * path, or collected.
   */
  public void apply(String key, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      problem(new ConfigException(e instanceof ConfigException || message.startsWith(path(key))
          ? message : path(key) + ": " + message), null);
    }
  }

  /** Throws the problem, or collects it and gives {@code def} instead. */
  private <T> T problem(ConfigException e, T def) {
    if (problems == null) {
      throw e;
    }
    problems.add(e.getMessage());
    return def;
  }

  /** The full path of {@code key} in this reader's object. */
  public String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Whether {@code key} is present and not null. */
  public boolean has(String key) {
    asked.add(key);
    return json.getValue(key) != null;
  }

  /** The names present in this object, for objects whose keys are data (domains, hosts), not options. */
  public Set<String> fieldNames() {
    return new LinkedHashSet<>(json.fieldNames());
  }

  public String string(String key, String def) {
    Object v = value(key);
    if (v == null) {
      return def;
    }
    if (v instanceof String s) {
      return s;
    }
    return problem(wrong(key, "a string", v), def);
  }

  /** A string that must be there. */
  public String requiredString(String key) {
    String s = string(key, null);
    if (s == null) {
      return problem(new ConfigException(path(key) + ": missing, expected a string"), "");
    }
    return s;
  }

  public int integer(String key, int def) {
    long n = longInteger(key, def);
    if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
      return problem(new ConfigException(path(key) + ": expected a number of at most " + Integer.MAX_VALUE
          + ", got " + n), def);
    }
    return (int) n;
  }

  public long longInteger(String key, long def) {
    Number n = number(key);
    if (n == null) {
      return def;
    }
    double d = n.doubleValue();
    if (n instanceof Double || n instanceof Float) {
      if (d != Math.rint(d) || Double.isInfinite(d) || Math.abs(d) > 0x1p63) {
        return problem(new ConfigException(path(key) + ": expected a whole number, got " + describe(n)), def);
      }
      return (long) d;
    }
    return n.longValue();
  }

  public boolean bool(String key, boolean def) {
    Object v = value(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    return problem(wrong(key, "true or false", v), def);
  }

  /** A duration written as a number of seconds, fractions allowed (so tests can ask for 0.05). */
  public Duration seconds(String key, Duration def) {
    Number n = number(key);
    return n == null ? def : Duration.ofNanos(Math.round(n.doubleValue() * 1e9));
  }

  /** An array of strings. */
  public List<String> stringList(String key, List<String> def) {
    Object v = value(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof JsonArray array)) {
      return problem(wrong(key, "an array of strings", v), def);
    }
    List<String> list = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      Object o = array.getValue(i);
      if (!(o instanceof String s)) {
        return problem(new ConfigException(path(key) + "[" + i + "]: expected a string, got " + describe(o)), def);
      }
      list.add(s);
    }
    return list;
  }

  /**
   * One of an enum's constants, written in any case ({@code "reject"} for {@code REJECT}); the
   * error lists the accepted names.
   */
  public <E extends Enum<E>> E oneOf(String key, Class<E> type, E def) {
    String s = string(key, null);
    if (s == null) {
      return def;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    return problem(new ConfigException(path(key) + ": expected one of " + String.join(", ", names) + ", got "
        + describe(s)), def);
  }

  /** The value as it is, for the rare key that takes more than one type; null when absent. */
  public Object raw(String key) {
    return value(key);
  }

  /** The reader of a nested object; an absent key reads as an empty object. */
  public JsonReader object(String key) {
    Object v = value(key);
    if (v != null && !(v instanceof JsonObject)) {
      problem(wrong(key, "an object", v), null);
      v = null;
    }
    JsonReader child = new JsonReader((JsonObject) v, path(key), problems);
    children.add(child);
    return child;
  }

  /**
   * Reads a nested object into an options object. A value out of range (an
   * {@link IllegalArgumentException} from a setter) is reported under the object's path
   * ({@code smtp: maxRecipients must be positive: 0}), like the type errors.
   */
  public <T> T section(String key, Function<JsonReader, T> read) {
    JsonReader child = object(key);
    if (problems != null) {
      return collectSection(child, read);
    }
    try {
      return read.apply(child);
    } catch (IllegalArgumentException e) {
      throw sectionProblem(child, e);
    }
  }

  private static ConfigException sectionProblem(JsonReader child, IllegalArgumentException e) {
    String message = String.valueOf(e.getMessage());
    return e instanceof ConfigException c ? c
        : new ConfigException(message.startsWith(child.path + ".") ? message : child.path + ": " + message);
  }

  /**
   * Reads a section without stopping at a value out of range: the key read last before a setter
   * refused its value is the culprit; it is reported, left out, and the section read again, until
   * it reads. Only the last reading's type problems count (each reading finds them again).
   */
  private <T> T collectSection(JsonReader first, Function<JsonReader, T> read) {
    JsonObject remaining = first.json.copy();
    Set<String> leftOut = new LinkedHashSet<>();
    JsonReader attempt = new JsonReader(remaining, first.path, new ArrayList<>());
    while (true) {
      try {
        T section = read.apply(attempt);
        problems.addAll(attempt.problems);
        children.set(children.indexOf(first), attempt);
        return section;
      } catch (IllegalArgumentException e) {
        problems.add(sectionProblem(attempt, e).getMessage());
        String culprit = null;
        for (String asked : attempt.asked) {
          culprit = asked;
        }
        if (culprit == null || !remaining.containsKey(culprit)) {
          // not a value of this object (a default refused, or a key already left out): give up on it
          first.incomplete = true;
          return read.apply(JsonReader.of(new JsonObject(), first.path));
        }
        remaining.remove(culprit);
        leftOut.add(culprit);
        attempt = new JsonReader(remaining, first.path, new ArrayList<>());
        attempt.asked.addAll(leftOut);
      }
    }
  }

  /**
   * The keys asked for so far, as a tree: a nested object for a key read as an object, true for
   * any other. Reading an empty configuration through a reader gives every key there is: the
   * schema that environment and system property overrides are resolved against.
   */
  public JsonObject knownKeys() {
    JsonObject tree = new JsonObject();
    asked.forEach(key -> tree.put(key, true));
    for (JsonReader child : children) {
      String key = child.path.substring(child.path.lastIndexOf('.') + 1);
      tree.put(key, child.knownKeys());
    }
    return tree;
  }

  /**
   * Refuses the keys of this object and of the nested objects read through it that nobody asked
   * for, naming each with its full path and the known key it most resembles.
   *
   * @throws ConfigException listing every unknown key
   */
  public void reportUnknown() {
    List<String> unknown = new ArrayList<>();
    collectUnknown(unknown);
    if (problems != null) {
      unknown.forEach(u -> problems.add("unknown key " + u));
      return;
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException("unknown configuration " + (unknown.size() == 1 ? "key " : "keys ")
          + String.join("; ", unknown));
    }
  }

  private void collectUnknown(List<String> out) {
    if (incomplete) {
      // its reading stopped at a problem already reported: the keys after it were never asked for
      return;
    }
    for (String key : json.fieldNames()) {
      if (!asked.contains(key)) {
        String suggestion = closest(key);
        out.add(path(key) + (suggestion == null ? "" : " (did you mean " + path(suggestion) + "?)"));
      }
    }
    children.forEach(c -> c.collectUnknown(out));
  }

  /** The known key nearest to a typo, when near enough to be what was meant. */
  private String closest(String key) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : asked) {
      int d = EditDistance.between(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    // a third of the word may be wrong (at least 2 edits): "maxConection", "idleTimout", "hostName"
    return best != null && bestDistance <= Math.max(2, key.length() / 3) ? best : null;
  }

  private Number number(String key) {
    Object v = value(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Number n) {
      return n;
    }
    return problem(wrong(key, "a number", v), null);
  }

  private Object value(String key) {
    asked.add(key);
    return json.getValue(key);
  }

  private ConfigException wrong(String key, String expected, Object got) {
    return new ConfigException(path(key) + ": expected " + expected + ", got " + describe(got));
  }

  private static String describe(Object v) {
    if (v instanceof String s) {
      return "\"" + s + "\"";
    }
    if (v instanceof JsonObject) {
      return "an object";
    }
    if (v instanceof JsonArray) {
      return "an array";
    }
    return String.valueOf(v);
  }
}
