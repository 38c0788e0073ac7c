package io.postino.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonReaderTest {

  private enum Mode { REJECT, NORMALIZE }

  @Test
  void readsEachTypeAndTakesTheDefaultForAbsentOrNullKeys() {
    JsonReader r = JsonReader.of(new JsonObject()
        .put("name", "mx").put("count", 3).put("big", 5_000_000_000L).put("on", true).put("wait", 0.25)
        .put("list", new JsonArray().add("a").add("b")).put("mode", "Normalize").put("none", (Object) null));

    assertEquals("mx", r.string("name", "x"));
    assertEquals(3, r.integer("count", 0));
    assertEquals(5_000_000_000L, r.longInteger("big", 0));
    assertEquals(true, r.bool("on", false));
    assertEquals(Duration.ofMillis(250), r.seconds("wait", Duration.ZERO));
    assertEquals(List.of("a", "b"), r.stringList("list", List.of()));
    assertEquals(Mode.NORMALIZE, r.oneOf("mode", Mode.class, Mode.REJECT));
    assertEquals("default", r.string("none", "default"));
    assertEquals(7, r.integer("absent", 7));
    r.reportUnknown();
  }

  @Test
  void aWrongTypeNamesTheFullPathAndWhatWasExpected() {
    JsonReader root = JsonReader.of(new JsonObject().put("smtp", new JsonObject().put("maxConnections", "ten")));
    JsonReader smtp = root.object("smtp");

    ConfigException e = assertThrows(ConfigException.class, () -> smtp.integer("maxConnections", 1));
    assertEquals("smtp.maxConnections: expected a number, got \"ten\"", e.getMessage());
  }

  @Test
  void otherWrongValuesAreNamedToo() {
    JsonReader r = JsonReader.of(new JsonObject().put("n", 1.5).put("b", "yes").put("l", new JsonArray().add("a").add(2))
        .put("o", 3).put("m", "loud").put("big", 3_000_000_000L), "queue");

    assertEquals("queue.n: expected a whole number, got 1.5",
        assertThrows(ConfigException.class, () -> r.integer("n", 0)).getMessage());
    assertEquals("queue.b: expected true or false, got \"yes\"",
        assertThrows(ConfigException.class, () -> r.bool("b", false)).getMessage());
    assertEquals("queue.l[1]: expected a string, got 2",
        assertThrows(ConfigException.class, () -> r.stringList("l", List.of())).getMessage());
    assertEquals("queue.o: expected an object, got 3",
        assertThrows(ConfigException.class, () -> r.object("o")).getMessage());
    assertEquals("queue.m: expected one of reject, normalize, got \"loud\"",
        assertThrows(ConfigException.class, () -> r.oneOf("m", Mode.class, Mode.REJECT)).getMessage());
    assertEquals("queue.big: expected a number of at most 2147483647, got 3000000000",
        assertThrows(ConfigException.class, () -> r.integer("big", 0)).getMessage());
  }

  @Test
  void anUnknownKeyIsRefusedWithItsPathAndTheNearestKnownKey() {
    JsonReader root = JsonReader.of(new JsonObject()
        .put("smtp", new JsonObject().put("port", 25).put("maxConection", 10)));
    JsonReader smtp = root.object("smtp");
    smtp.integer("port", 2525);
    smtp.integer("maxConnections", 100);
    smtp.integer("maxRecipients", 100);

    ConfigException e = assertThrows(ConfigException.class, root::reportUnknown);
    assertEquals("unknown configuration key smtp.maxConection (did you mean smtp.maxConnections?)", e.getMessage());
  }

  @Test
  void everyUnknownKeyIsListedAndFarOffOnesGetNoSuggestion() {
    JsonReader root = JsonReader.of(new JsonObject().put("hostName", "mx").put("colour", "blue")
        .put("queue", new JsonObject().put("minBackof", 1)));
    root.string("hostname", null);
    root.object("queue").seconds("minBackoff", Duration.ZERO);

    ConfigException e = assertThrows(ConfigException.class, root::reportUnknown);
    assertEquals("unknown configuration keys hostName (did you mean hostname?); colour; "
        + "queue.minBackof (did you mean queue.minBackoff?)", e.getMessage());
  }

  @Test
  void keysThatAreDataAreKnownOnceRead() {
    JsonReader root = JsonReader.of(new JsonObject().put("localUsers",
        new JsonObject().put("example.com", new JsonArray().add("alice"))));
    JsonReader users = root.object("localUsers");
    for (String domain : users.fieldNames()) {
      users.stringList(domain, List.of());
    }
    root.reportUnknown();
  }

  @Test
  void editDistanceCountsSingleCharacterEdits() {
    assertEquals(0, EditDistance.between("port", "port"));
    assertEquals(1, EditDistance.between("maxConection", "maxConnection"));
    assertEquals(2, EditDistance.between("idleTimout", "idleTimeouts"));
    assertEquals(4, EditDistance.between("", "port"));
  }

  /** A section as an options class reads it: each setter refuses a value out of range. */
  private record Limits(int low, int high, String name) {
    static Limits read(JsonReader r) {
      int low = positive("low", r.integer("low", 1));
      int high = positive("high", r.integer("high", 2));
      return new Limits(low, high, r.string("name", "x"));
    }

    static int positive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }
  }

  @Test
  void aCollectingReaderFindsEveryProblemAndReadsDefaultsInstead() {
    JsonReader root = JsonReader.collecting(new JsonObject()
        .put("limits", new JsonObject().put("low", -1).put("high", 0).put("name", 5).put("nmae", "y"))
        .put("count", "three").put("extra", 1));

    Limits limits = root.section("limits", Limits::read);
    assertEquals(3, root.integer("count", 3));
    root.reportUnknown();

    assertEquals(new Limits(1, 2, "x"), limits);
    assertEquals(List.of(
        "limits: low must be positive: -1",
        "limits: high must be positive: 0",
        "limits.name: expected a string, got 5",
        "count: expected a number, got \"three\"",
        "unknown key extra",
        "unknown key limits.nmae (did you mean limits.name?)"), root.problems());
  }
}
