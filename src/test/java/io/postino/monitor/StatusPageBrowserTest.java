package io.postino.monitor;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real browser: Debian's headless Chromium through its chromedriver (both
 * named explicitly, so Selenium never looks for a browser on the internet). The page is loaded,
 * then mail is sent, and the page must show the new figures by itself, its script polling
 * {@code /status.json}.
 */
class StatusPageBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir
  Path dir;

  private TestServer server;
  private WebDriver browser;

  @AfterEach
  void close() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  private static void send(SmtpTestClient c, String to, String subject) throws IOException {
    expect(c.command("MAIL FROM:<alice@local.example>"), 250);
    expect(c.command("RCPT TO:<" + to + ">"), 250);
    expect(c.command("DATA"), 354);
    expect(c.send("Subject: " + subject + "\r\n\r\n" + subject + "\r\n.\r\n").read(), 250);
  }

  @Test
  void thePageShowsTheLiveFiguresOfTheNode() throws Exception {
    // fails rather than skips without the browser, as the DKIM peers do: .ci/run installs both
    assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)");
    server = new TestServer(dir);
    server.config.put("admin", new JsonObject().put("enabled", true).put("port", 0)
        .put("tokenFile", dir.resolve("admin.token").toString()));
    server.start();
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      send(c, "bob@local.example", "first");
    }
    server.nextEventFor("bob@local.example");

    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.get("http://127.0.0.1:" + server.postino.adminPort() + "/status");
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    wait.until(ExpectedConditions.textToBe(By.id("accepted"), "1"));
    wait.until(ExpectedConditions.textToBe(By.id("sent"), "1"));
    assertEquals("mx.test.example", browser.findElement(By.id("hostname")).getText());

    // the page is open: what happens now must reach it by its own polling
    try (SmtpTestClient c = server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      send(c, "bob@local.example", "second");
      send(c, "carol@remote.example", "third");
    }
    wait.until(ExpectedConditions.textToBe(By.id("accepted"), "3"));
    wait.until(ExpectedConditions.textToBe(By.id("sent"), "2"));
    wait.until(ExpectedConditions.textToBe(By.id("deferred"), "1"));
    wait.until(ExpectedConditions.textToBe(By.id("queue-deferred"), "1"));

    List<WebElement> recent = browser.findElements(By.cssSelector("#recent tr"));
    assertEquals(3, recent.size());
    // newest first; the second and third messages are delivered concurrently, so either may be newest
    List<String> newest = List.of(recent.get(0).getText(), recent.get(1).getText());
    assertTrue(newest.stream().anyMatch(r -> r.contains("deferred") && r.contains("remote.example")), newest.toString());
    assertTrue(newest.stream().anyMatch(r -> r.contains("sent") && r.contains("local.example")), newest.toString());
    assertTrue(recent.get(2).getText().contains("sent"), recent.get(2).getText());
    String page = browser.findElement(By.tagName("body")).getText();
    assertFalse(page.contains("bob@") || page.contains("carol@") || page.contains("alice@"),
        "the page shows domains, never addresses: " + page);

    // the chart: a line per kind over sixty minutes, the accepted one off its baseline (y 150) somewhere
    List<WebElement> lines = browser.findElements(By.cssSelector("#chart polyline"));
    assertEquals(4, lines.size());
    String[] points = browser.findElement(By.cssSelector("#chart polyline.accepted")).getAttribute("points").split(" ");
    assertEquals(60, points.length);
    assertTrue(java.util.Arrays.stream(points).anyMatch(p -> Double.parseDouble(p.split(",")[1]) < 150), points[59]);
    assertTrue(browser.findElement(By.id("members")).getText().contains("standalone"));
  }
}
