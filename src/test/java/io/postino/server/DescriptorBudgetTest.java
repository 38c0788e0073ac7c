package io.postino.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.postino.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connection limit against the file descriptor limit: 2 per session, 2 per outbound, 1024 kept. */
class DescriptorBudgetTest {

  @TempDir
  Path dir;

  @Test
  void aDefaultLimitIsLoweredToWhatTheDescriptorsHold() {
    // this machine's 20,000 with 500 outbound connections: (20000 - 1024 - 1000) / 2
    assertEquals(8988, DescriptorBudget.maxConnections(new ServerOptions(), 20_000, 500));
    assertEquals(9488, DescriptorBudget.maxConnections(new ServerOptions(), 20_000, 0));
    // a limit that holds the default keeps it
    assertEquals(10_000, DescriptorBudget.maxConnections(new ServerOptions(), 1_048_576, 500));
    // unknown platform: nothing derived
    assertEquals(10_000, DescriptorBudget.maxConnections(new ServerOptions(), -1, 500));
  }

  @Test
  void aConfiguredLimitThatCannotBeHeldIsRefused() {
    ServerOptions set = new ServerOptions(new JsonObject().put("maxConnections", 10_000));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DescriptorBudget.maxConnections(set, 20_000, 500));
    assertTrue(e.getMessage().contains("22024 file descriptors") && e.getMessage().contains("at most 8988"),
        e.getMessage());
    assertEquals(8988, DescriptorBudget.maxConnections(new ServerOptions().setMaxConnections(8988), 20_000, 500));
    // set survives a copy, so the configured value is never lowered silently
    assertTrue(new ServerOptions(set).isMaxConnectionsSet());
    assertThrows(IllegalArgumentException.class, () -> DescriptorBudget.maxConnections(new ServerOptions(), 1500, 500));
  }

  @Test
  void aServerConfiguredForMoreConnectionsThanItsDescriptorsDoesNotStart() {
    assumeTrue(DescriptorBudget.descriptorLimit() > 0, "the platform tells no descriptor limit");
    try (TestServer server = new TestServer(dir)) {
      server.smtp().put("maxConnections", Integer.MAX_VALUE);
      RuntimeException e = assertThrows(RuntimeException.class, server::start);
      assertTrue(String.valueOf(e.getMessage()).contains("smtp.maxConnections " + Integer.MAX_VALUE + " needs"),
          String.valueOf(e));
    }
  }
}
