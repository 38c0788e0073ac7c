package io.postino.alias;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an alias file, in either of two forms, told apart by the first character that is not a
 * space: {@code {} starts a JSON object, the same as the {@code aliases} key of the configuration;
 * anything else is the text form, in the spirit of {@code aliases(5)}:
 *
 * <pre>
 * # comments and blank lines are ignored
 * info@example.org: alice@example.org, bob@elsewhere.net
 * sales@example.org: carol@example.org,
 *     dave@example.org          (a line that starts with a space continues the previous one)
 * &#64;old.example: &#64;example.org
 * </pre>
 *
 * <p>A missing file is an empty table (it may be created later: it is watched). A file that does not
 * read is an error naming the line; a running server then keeps the aliases it had.
 */
public final class AliasFile {

  private AliasFile() {
  }

  /** Reads and checks the file. Blocking. */
  public static AliasTable read(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return AliasTable.EMPTY;
    }
    String source = file.toString();
    return AliasTable.of(text.strip().startsWith("{") ? json(text, source) : lines(text, source), source);
  }

  private static Map<String, List<String>> json(String text, String source) {
    JsonObject o;
    try {
      o = new JsonObject(text);
    } catch (DecodeException e) {
      throw new IllegalArgumentException(source + ": not a JSON object: " + e.getMessage());
    }
    Map<String, List<String>> raw = new LinkedHashMap<>();
    for (String key : o.fieldNames()) {
      Object v = o.getValue(key);
      if (v instanceof String s) {
        raw.put(key, List.of(s));
      } else if (v instanceof JsonArray a && a.stream().allMatch(x -> x instanceof String)) {
        raw.put(key, a.stream().map(String.class::cast).toList());
      } else {
        throw new IllegalArgumentException(source + ": " + key + ": expected an address or an array of addresses");
      }
    }
    return raw;
  }

  private static Map<String, List<String>> lines(String text, String source) {
    // join continuation lines first, remembering where each entry started for the errors
    List<String> entries = new ArrayList<>();
    List<Integer> lineNumbers = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      if (Character.isWhitespace(line.charAt(0))) {
        if (entries.isEmpty()) {
          throw new IllegalArgumentException(source + ": line " + (i + 1) + ": a continuation line with nothing to continue");
        }
        entries.set(entries.size() - 1, entries.get(entries.size() - 1) + " " + line.strip());
      } else {
        entries.add(line.strip());
        lineNumbers.add(i + 1);
      }
    }
    Map<String, List<String>> raw = new LinkedHashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      int colon = entry.indexOf(':');
      String where = source + ": line " + lineNumbers.get(i);
      if (colon <= 0) {
        throw new IllegalArgumentException(where + ": expected address: target, target, ...");
      }
      List<String> targets = new ArrayList<>();
      for (String t : entry.substring(colon + 1).split(",")) {
        if (!t.isBlank()) {
          targets.add(t.strip());
        }
      }
      if (raw.put(entry.substring(0, colon).strip(), targets) != null) {
        throw new IllegalArgumentException(where + ": " + entry.substring(0, colon).strip() + " is listed twice");
      }
    }
    return raw;
  }
}
