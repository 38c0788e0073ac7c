package io.postino.config;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON paths at which two configurations differ ({@code smtp.maxRecipients},
 * {@code localUsers.example.com}): objects are compared key by key, anything else (arrays
 * included) as a whole value. A reload uses it to say what changed and what needs a restart.
 */
public final class JsonDiff {

  private JsonDiff() {
  }

  /** The paths whose values differ, in alphabetical order; a key absent on one side differs. */
  public static List<String> changedPaths(JsonObject before, JsonObject after) {
    List<String> out = new ArrayList<>();
    collect("", before, after, out);
    return out;
  }

  private static void collect(String path, JsonObject before, JsonObject after, List<String> out) {
    Set<String> keys = new TreeSet<>(before.fieldNames());
    keys.addAll(after.fieldNames());
    for (String key : keys) {
      String at = path.isEmpty() ? key : path + "." + key;
      Object a = before.getValue(key);
      Object b = after.getValue(key);
      if (a instanceof JsonObject x && b instanceof JsonObject y) {
        collect(at, x, y, out);
      } else if (!Objects.equals(a, b)) {
        out.add(at);
      }
    }
  }
}
