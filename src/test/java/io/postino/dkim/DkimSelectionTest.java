package io.postino.dkim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.postino.PostinoOptions;
import io.postino.bus.StructuredMessage;
import io.postino.bus.StructuredMessage.NamedAddress;
import io.postino.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which mail Postino signs: authenticated submission and postino.send, for an author domain with
 * keys; trusted networks only with {@code dkim.signTrustedNetworks}; nothing else. And the
 * configuration that says so.
 */
class DkimSelectionTest {

  private static final String UNSIGNED_DOMAIN = DkimSigningInteropTest.MESSAGE.replace("alice@signer.example",
      "alice@elsewhere.example");

  @TempDir
  Path dir;
  DkimTestbed bed;

  @BeforeEach
  void setUp() throws Exception {
    bed = new DkimTestbed(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    bed.close();
  }

  private static String text(Path file) throws Exception {
    return Files.readString(file, StandardCharsets.ISO_8859_1);
  }

  @Test
  void mailFromAnUnauthenticatedClientIsNotSigned() throws Exception {
    bed.server.start();
    Path delivered = bed.send(DkimSigningInteropTest.MESSAGE, false);
    assertFalse(text(delivered).contains("DKIM-Signature"), text(delivered));
  }

  @Test
  void anAuthorDomainWithoutKeysIsNotSigned() throws Exception {
    bed.server.start();
    Path delivered = bed.send(UNSIGNED_DOMAIN, true);
    assertFalse(text(delivered).contains("DKIM-Signature"), text(delivered));
  }

  @Test
  void trustedNetworksAreSignedOnlyWhenConfigured() throws Exception {
    bed.server.config.put("trustedNetworks", new JsonArray().add("127.0.0.0/8"));
    bed.server.start();
    Path delivered = bed.send(DkimSigningInteropTest.MESSAGE, false);
    assertFalse(text(delivered).contains("DKIM-Signature"), text(delivered));
    // a graceful stop, which lets the round record the message's removal: closing Vert.x alone may
    // cut it after the delivery, and the restart then delivers the unsigned message again (the
    // at-least-once window), first (seen once in CI)
    bed.server.postino.close().await();
    bed.server.close();

    bed.dkim().put("signTrustedNetworks", true);
    bed.server.start();
    Path signed = bed.send(DkimSigningInteropTest.MESSAGE, false);
    assertEquals(DkimSigningInteropTest.BOTH_PASS, bed.verify(signed));
  }

  @Test
  void messagesFromPostinoSendAreSigned() throws Exception {
    bed.server.start();
    StructuredMessage mail = StructuredMessage.of(NamedAddress.of("Alice", "alice@signer.example"),
            List.of(NamedAddress.of("Bob", "bob@local.example")), "Your report", "Hi Bob,\nthe report.")
        .withHtml("<p>Hi Bob,</p><p>the report.</p>");
    bed.server.vertx.eventBus().request("postino.send", mail.toJson()).await();
    assertEquals(DkimSigningInteropTest.BOTH_PASS, bed.verify(bed.delivered()));
  }

  @Test
  void aKeyThatCannotBeReadStopsTheStart() throws Exception {
    Files.writeString(dir.resolve("keys/rsa.pem"), "not a key\n");
    Throwable e = assertThrows(Exception.class, () -> bed.server.start());
    assertEquals(true, String.valueOf(e.getMessage()).contains("s2026r"), String.valueOf(e.getMessage()));
  }

  @Test
  void theConfigurationIsReadAndCheckedLikeEveryOther() {
    JsonObject dkim = new JsonObject()
        .put("domains", new JsonObject().put("Example.ORG", new JsonArray()
            .add(new JsonObject().put("selector", "s1").put("key", "k1.pem"))
            .add(new JsonObject().put("selector", "s2").put("key", "k2.pem"))))
        .put("canonicalization", "simple")
        .put("signTrustedNetworks", true)
        .put("expiration", 3600)
        .put("watchInterval", 2);
    DkimOptions options = new PostinoOptions(new JsonObject().put("dkim", dkim)).getDkim();
    assertEquals(List.of(new DkimOptions.KeyFile("s1", "k1.pem"), new DkimOptions.KeyFile("s2", "k2.pem")),
        options.getDomains().get("example.org"));
    assertEquals("simple/simple", options.getCanonicalization());
    assertEquals(Canonicalization.SIMPLE, options.getBodyCanonicalization());
    assertEquals(3600, options.getExpiration().toSeconds());
    assertEquals(options.toJson(), new DkimOptions(options.toJson()).toJson());
    DkimOptions defaults = new PostinoOptions().getDkim();
    assertEquals("relaxed/relaxed", defaults.getCanonicalization());
    assertEquals(0, defaults.getDomains().size());

    ConfigException typo = assertThrows(ConfigException.class, () -> new PostinoOptions(new JsonObject()
        .put("dkim", new JsonObject().put("domains", new JsonObject().put("example.org", new JsonArray()
            .add(new JsonObject().put("selector", "s1").put("kee", "k1.pem")))))));
    assertEquals(true, typo.getMessage().contains("dkim.domains.example.org[0]"), typo.getMessage());
    assertThrows(ConfigException.class, () -> new PostinoOptions(new JsonObject()
        .put("dkim", new JsonObject().put("canonicalization", "loose"))));
    assertThrows(ConfigException.class, () -> new PostinoOptions(new JsonObject()
        .put("dkim", new JsonObject().put("signTrustedNetwork", true))));
  }

  @Test
  void aCopyOfTheOptionsKeepsTheDkimSection() {
    PostinoOptions options = new PostinoOptions().setDkim(new DkimOptions().setSignTrustedNetworks(true)
        .setDomains(java.util.Map.of("example.org", List.of(new DkimOptions.KeyFile("s1", "k.pem")))));
    DkimOptions copy = new PostinoOptions(options).getDkim();
    assertEquals(true, copy.isSignTrustedNetworks());
    assertEquals(options.getDkim().getDomains(), copy.getDomains());
  }
}
