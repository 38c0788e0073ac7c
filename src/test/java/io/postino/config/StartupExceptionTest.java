package io.postino.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Start-up failures in one line an operator can search for, whatever Java or Netty called them. */
class StartupExceptionTest {

  @Test
  void aListenerFailureNamesTheListenerTheAddressAndTheReason() {
    assertEquals("submission listener 0.0.0.0:587: address already in use",
        StartupException.listener("submission listener", "0.0.0.0", 587,
            new IOException("wrapped", new BindException("Address already in use"))).getMessage());
    assertEquals("smtp listener [::1]:2525: address already in use",
        StartupException.listener("smtp listener", "::1", 2525,
            new IOException("bind(..) failed: Address already in use")).getMessage());
    assertEquals("smtp listener 0.0.0.0:25: permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)",
        StartupException.listener("smtp listener", "0.0.0.0", 25, new BindException("Permission denied")).getMessage());
  }

  @Test
  void aPathFailureNamesTheOptionThePathAndTheReason() {
    assertEquals("spool directory data/spool: permission denied", StartupException.path("spool directory",
        Path.of("data/spool"), new IllegalStateException(new AccessDeniedException("data/spool/tmp"))).getMessage());
  }
}
