package io.postino.alias;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.PostinoOptions;
import io.postino.alias.Expansion.Target;
import io.postino.smtp.MailAddress;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expansion rules in detail; the end-to-end behaviour is in {@link AliasesEndToEndTest}. */
class AliasExpanderTest {

  /** example.org has alice and bob; open.example takes any user; elsewhere.net is remote. */
  private static final Mailboxes BOXES = new Mailboxes() {
    @Override
    public boolean isLocalDomain(String domain) {
      return domain.equals("example.org") || domain.equals("open.example");
    }

    @Override
    public boolean hasMailbox(String domain, String user) {
      return domain.equals("open.example") || Set.of("alice", "bob").contains(user);
    }
  };

  private static Expansion expand(Map<String, List<String>> aliases, String recipient) {
    return new AliasExpander(AliasTable.of(aliases, "test"), "+", null, 5, 10, null, null)
        .expand(MailAddress.parse(recipient), BOXES, "example.org", 0);
  }

  private static Target local(String a) {
    return new Target(MailAddress.parse(a), true, false);
  }

  private static Target forwarded(String a) {
    return new Target(MailAddress.parse(a), false, true);
  }

  @Test
  void anAliasListsLocalAndRemoteCopiesAndAMailboxIsItself() {
    Map<String, List<String>> a = Map.of("info@example.org", List.of("alice@example.org", "carol@elsewhere.net"));

    assertEquals(new Expansion.Expanded(List.of(local("alice@example.org"), forwarded("carol@elsewhere.net"))),
        expand(a, "INFO@Example.org"));
    assertEquals(new Expansion.Expanded(List.of(local("bob@example.org"))), expand(a, "bob@example.org"));
    assertEquals(new Expansion.Unknown(), expand(a, "nobody@example.org"));
    assertEquals(new Expansion.NotLocal(), expand(a, "dave@elsewhere.net"));
  }

  @Test
  void nestedAliasesAreFollowedAndDuplicatesDropped() {
    Map<String, List<String>> a = Map.of(
        "all@example.org", List.of("team@example.org", "alice@example.org"),
        "team@example.org", List.of("alice@example.org", "bob@example.org"));

    assertEquals(new Expansion.Expanded(List.of(local("alice@example.org"), local("bob@example.org"))),
        expand(a, "all@example.org"));
  }

  @Test
  void aLoopAndTooDeepANestingAreRefusedButAnAliasMayKeepACopyForItself() {
    assertEquals(Expansion.Why.LOOP, ((Expansion.Refused) expand(
        Map.of("a@example.org", List.of("b@example.org"), "b@example.org", List.of("a@example.org")),
        "a@example.org")).why());
    Map<String, List<String>> chain = Map.of("c1@example.org", List.of("c2@example.org"),
        "c2@example.org", List.of("c3@example.org"), "c3@example.org", List.of("c4@example.org"),
        "c4@example.org", List.of("c5@example.org"), "c5@example.org", List.of("c6@example.org"),
        "c6@example.org", List.of("alice@example.org"));
    assertEquals(new Expansion.Refused(Expansion.Why.LOOP, "aliases nested deeper than 5"),
        expand(chain, "c1@example.org"));
    assertEquals(new Expansion.Expanded(List.of(local("alice@example.org"))), expand(chain, "c2@example.org"));
    assertEquals(new Expansion.Expanded(List.of(local("alice@example.org"), forwarded("alice@elsewhere.net"))),
        expand(Map.of("alice@example.org", List.of("alice@example.org", "alice@elsewhere.net")), "alice@example.org"));
  }

  @Test
  void anExpansionPastTheLimitIsRefused() {
    List<String> many = IntStream.range(0, 11).mapToObj(i -> "u" + i + "@open.example").toList();

    assertEquals(Expansion.Why.TOO_MANY, ((Expansion.Refused) expand(Map.of("list@example.org", many),
        "list@example.org")).why());
  }

  @Test
  void aCatchAllTakesOnlyWhatHasNoMailboxOrAlias() {
    Map<String, List<String>> a = Map.of("@example.org", List.of("alice@example.org"),
        "sales@example.org", List.of("bob@example.org"));

    assertEquals(new Expansion.Expanded(List.of(local("alice@example.org"))), expand(a, "whoever@example.org"));
    assertEquals(new Expansion.Expanded(List.of(local("bob@example.org"))), expand(a, "bob@example.org"));
    assertEquals(new Expansion.Expanded(List.of(local("bob@example.org"))), expand(a, "sales@example.org"));
  }

  @Test
  void aDomainAliasKeepsTheLocalPartAndItsDomainIsTakenAsAnAliasDomain() {
    Map<String, List<String>> a = Map.of("@old.example", List.of("@example.org"));

    assertEquals(new Expansion.Expanded(List.of(local("alice+news@example.org"))), expand(a, "alice+news@old.example"));
    assertEquals(new Expansion.Unknown(), expand(a, "nobody@old.example"));
  }

  @Test
  void aSubaddressReachesTheMailboxOrTheAliasOfItsUserAndAnExactEntryWins() {
    Map<String, List<String>> a = Map.of("info@example.org", List.of("bob@example.org"),
        "info+sales@example.org", List.of("alice@example.org"));

    assertEquals(new Expansion.Expanded(List.of(local("alice+news@example.org"))), expand(a, "alice+news@example.org"));
    assertEquals(new Expansion.Expanded(List.of(local("bob@example.org"))), expand(a, "info+other@example.org"));
    assertEquals(new Expansion.Expanded(List.of(local("alice@example.org"))), expand(a, "info+sales@example.org"));
    assertEquals(new Expansion.Unknown(), expand(a, "nobody+x@example.org"));
  }

  @Test
  void postmasterAndAbuseOfEveryDomainGoToThePostmaster() {
    Map<String, List<String>> a = Map.of("@old.example", List.of("alice@example.org"),
        "postmaster@example.org", List.of("bob@example.org"));

    assertEquals(new Expansion.Expanded(List.of(local("bob@example.org"))), expand(a, "abuse@old.example"));
    assertEquals(new Expansion.Expanded(List.of(local("bob@example.org"))), expand(a, "postmaster@example.org"));
    assertEquals(new Expansion.Expanded(List.of(local("bob@example.org"))),
        new AliasExpander(AliasTable.of(a, "test"), "+", null, 5, 10, null, null)
            .expand(new MailAddress("postmaster", ""), BOXES, "example.org", 0));
    // without an alias, the postmaster's own mailbox, which always exists
    assertEquals(new Expansion.Expanded(List.of(local("postmaster@example.org"))), expand(Map.of(), "abuse@example.org"));
  }

  @Test
  void badEntriesAreRefusedWithTheirKey() {
    assertThrows(IllegalArgumentException.class, () -> AliasTable.of(Map.of("info", List.of("a@example.org")), "t"));
    assertThrows(IllegalArgumentException.class, () -> AliasTable.of(Map.of("info@example.org", List.of()), "t"));
    assertThrows(IllegalArgumentException.class,
        () -> AliasTable.of(Map.of("info@example.org", List.of("@example.net")), "t"));
    assertThrows(IllegalArgumentException.class,
        () -> AliasTable.of(Map.of("info@example.org", List.of("not an address")), "t"));
  }

  @Test
  void aBadAliasInTheConfigurationStopsItNamingItsPath() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PostinoOptions(
        new JsonObject().put("aliases", new JsonObject().put("info", "a@example.org"))));
    assertEquals("aliases: info: not an address or @domain: info", e.getMessage());
    IllegalArgumentException srs = assertThrows(IllegalArgumentException.class, () -> new PostinoOptions(
        new JsonObject().put("srs", new JsonObject().put("secret", "short"))));
    assertTrue(srs.getMessage().contains("srs.secret: at least 16 characters"), srs.getMessage());
    AliasOptions read = new PostinoOptions(new JsonObject()
        .put("aliases", new JsonObject().put("@old.example", "@example.org"))
        .put("recipientDelimiter", "+-").put("postmasterAddress", "alice@example.org")).getAliases();
    assertEquals(List.of("@example.org"), read.getAliases().domain("old.example"));
    assertEquals("+-", read.getRecipientDelimiter());
    assertEquals("alice@example.org", read.getPostmasterAddress());
  }

  @Test
  void theAliasFileReadsTheTextAndTheJsonForm(@TempDir Path dir) throws Exception {
    Path text = dir.resolve("aliases");
    Files.writeString(text, "# team\ninfo@example.org: alice@example.org,\n  carol@elsewhere.net\n\n@old.example: @example.org\n",
        StandardCharsets.UTF_8);
    Path json = dir.resolve("aliases.json");
    Files.writeString(json, "{\"info@example.org\": [\"alice@example.org\", \"carol@elsewhere.net\"],"
        + " \"@old.example\": \"@example.org\"}", StandardCharsets.UTF_8);

    for (Path file : List.of(text, json)) {
      AliasTable t = AliasFile.read(file);
      assertEquals(List.of("alice@example.org", "carol@elsewhere.net"), t.address("info", "example.org"));
      assertEquals(List.of("@example.org"), t.domain("old.example"));
    }
    assertEquals(0, AliasFile.read(dir.resolve("missing")).size());
    Files.writeString(text, "info@example.org alice@example.org\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AliasFile.read(text));
    assertEquals(text + ": line 1: expected address: target, target, ...", e.getMessage());
  }
}
