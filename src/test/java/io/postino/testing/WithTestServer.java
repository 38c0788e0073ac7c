package io.postino.testing;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up the server tests share: a {@link TestServer} in the test's temporary directory, made
 * before each test but not started (the test changes its configuration first, then calls
 * {@link TestServer#start()}), and closed after it. A subclass's own {@code @BeforeEach} runs
 * after the server is made, its {@code @AfterEach} before the server is closed.
 */
public abstract class WithTestServer {

  @TempDir
  protected Path dir;
  protected TestServer server;

  @BeforeEach
  final void makeTestServer() {
    server = new TestServer(dir);
  }

  @AfterEach
  final void closeTestServer() {
    server.close();
  }
}
