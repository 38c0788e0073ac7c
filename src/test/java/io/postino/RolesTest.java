package io.postino;

import io.postino.cli.Main;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "roles" of a node: read from the configuration, refused when they cannot work, applied at start. */
class RolesTest {

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private JsonObject config(String... roles) {
    return new JsonObject()
        .put("roles", new JsonArray(java.util.List.of((Object[]) roles)))
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("spool", new JsonObject().put("directory", dir.resolve("spool").toString()))
        .put("maildir", new JsonObject().put("root", dir.resolve("maildir").toString()))
        .put("tls", new JsonObject().put("enabled", false))
        .put("auth", new JsonObject().put("enabled", false));
  }

  @Test
  void everyRoleByDefaultAndNamesInAnyCase() {
    assertEquals(EnumSet.allOf(Role.class), new PostinoOptions(new JsonObject()).getRoles());
    assertEquals(EnumSet.of(Role.QUEUE, Role.DELIVERY), new PostinoOptions(config("Queue", "DELIVERY")).getRoles());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PostinoOptions(config("listener", "mailer")));
    assertTrue(e.getMessage().contains("unknown role \"mailer\""), e.getMessage());
  }

  @Test
  void combinationsThatCannotWorkAreRefused() {
    Exception e = assertThrows(IllegalArgumentException.class,
        () -> Postino.deploy(vertx, config("listener", "delivery")).await());
    assertEquals("the listener role needs the queue role on the same node (the spool is local)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Postino.deploy(vertx, config()).await());
    assertTrue(e.getMessage().startsWith("roles is empty"), e.getMessage());
    // jobs that may not leave the node, and nobody on it to carry them out
    e = assertThrows(IllegalArgumentException.class,
        () -> Postino.deploy(vertx, config("listener", "queue", "resolver")).await());
    assertTrue(e.getMessage().contains("queue.deliverAcrossCluster"), e.getMessage());
  }

  @Test
  void aDeliveryNodeRunsDeliveryOnly() {
    Postino node = Postino.deploy(vertx, config("delivery")).await();

    assertEquals(-1, node.smtpPort());
    assertNull(node.queue());
    // the spool is not opened (opening would clean the tmp directory of the node that owns it)
    assertFalse(Files.exists(dir.resolve("spool")));
    // a job with no recipients is refused by the delivery verticle: it is there
    ReplyException bad = assertThrows(ReplyException.class,
        () -> vertx.eventBus().request("postino.delivery.submit", new JsonObject()).await());
    assertEquals(400, bad.failureCode());
    for (String address : new String[] {"postino.send", "postino.mx.resolve"}) {
      ReplyException none = assertThrows(ReplyException.class,
          () -> vertx.eventBus().request(address, new JsonObject()).await());
      assertEquals(ReplyFailure.NO_HANDLERS, none.failureType(), address);
    }
    node.close().await();
  }

  @Test
  void theShippedClusterConfigurationsSplitTheRoles() throws Exception {
    PostinoOptions listener = new PostinoOptions(Main.readConfig(Path.of("conf/cluster-listener.json")));
    PostinoOptions delivery = new PostinoOptions(Main.readConfig(Path.of("conf/cluster-delivery.json")));

    assertEquals(EnumSet.of(Role.LISTENER, Role.QUEUE, Role.RESOLVER), listener.getRoles());
    assertTrue(listener.getQueue().isDeliverAcrossCluster());
    assertEquals(EnumSet.of(Role.DELIVERY), delivery.getRoles());
    // nothing shared: the delivery node reads the content over the bus, and keeps its copies in a directory of its own
    assertNotEquals(listener.getSpoolDirectory().toAbsolutePath(), delivery.getSpoolDirectory().toAbsolutePath());
    assertNull(Role.check(listener.getRoles()));
  }
}
