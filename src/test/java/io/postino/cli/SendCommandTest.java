package io.postino.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.ChildCli;
import io.postino.testing.ChildCli.Result;
import io.postino.testing.SmtpSink;
import io.postino.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code postino send} against a scripted destination ({@code --server}): what it sends (the
 * envelope from the arguments and headers, Bcc removed, dots stuffed, CRLF line ends) and
 * sendmail's exit status for each way it can fail. In this JVM, through the command line.
 */
class SendCommandTest {

  @TempDir
  Path dir;

  private final SmtpSink sink = new SmtpSink().start();

  @AfterEach
  void stop() {
    sink.close();
  }

  private Result send(String message, String... args) throws Exception {
    Path conf = dir.resolve("postino.json");
    Files.writeString(conf, "{\"hostname\": \"host.test.example\"}");
    String[] all = new String[args.length + 5];
    all[0] = "send";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--server";
    all[args.length + 2] = "127.0.0.1:" + sink.port();
    all[args.length + 3] = "-conf";
    all[args.length + 4] = conf.toString();
    return ChildCli.inProcess(message.getBytes(StandardCharsets.UTF_8), all);
  }

  @Test
  void recipientsComeFromArgumentsAndHeadersAndBccIsRemoved() throws Exception {
    Result r = send("From: Alice <alice@b.example>\nTo: Bob <bob@x.example>, carol@x.example\n"
        + "Bcc: dave@y.example,\n  erin@y.example\nSubject: hi\n\n.leading dot\nlast line\n",
        "-t", "-i", "-f", "alice@b.example", "frank@z.example");
    assertEquals(0, r.exit(), r.toString());
    SmtpSink.Received got = sink.next();
    assertEquals("alice@b.example", got.from());
    assertEquals(List.of("frank@z.example", "bob@x.example", "carol@x.example", "dave@y.example", "erin@y.example"),
        got.recipients());
    String data = new String(got.data(), StandardCharsets.UTF_8);
    assertFalse(data.contains("Bcc"), data);
    assertFalse(data.contains("erin"), data);
    assertTrue(data.contains("Subject: hi\r\n\r\n.leading dot\r\nlast line\r\n"), data);
  }

  @Test
  void anInternationalAddressGoesWithSmtpUtf8AndEightBitContentAsSuch() throws Exception {
    TestServer server = new TestServer(dir.resolve("postino")).start();
    try {
      Path conf = dir.resolve("postino.json");
      Files.writeString(conf, "{\"hostname\": \"host.test.example\"}");
      Result r = ChildCli.inProcess("Subject: Grüße\n\nGrüße aus Köln\n".getBytes(StandardCharsets.UTF_8),
          "send", "-f", "anne@b.example", "--server", "127.0.0.1:" + server.port(), "-conf", conf.toString(),
          "jörg@local.example");
      assertEquals(0, r.exit(), r.toString());
      server.nextInbound();
      List<Path> box = server.mailbox("local.example", "jörg");
      assertEquals(1, box.size());
      assertTrue(Files.readString(box.get(0), StandardCharsets.UTF_8).contains("Grüße aus Köln"));
    } finally {
      server.close();
    }
  }

  @Test
  void theDefaultSenderIsTheUserAtTheConfiguredHostname() throws Exception {
    assertEquals(0, send("Subject: x\n\nx\n", "bob@x.example").exit());
    assertEquals(System.getProperty("user.name") + "@host.test.example", sink.next().from());
  }

  @Test
  void exitStatusesAreSendmails() throws Exception {
    sink.refuse("gone@x.example", 550);
    Result refused = send("Subject: x\n\nx\n", "bob@x.example", "gone@x.example");
    assertEquals(67, refused.exit(), refused.toString());
    assertTrue(refused.err().contains("refused RCPT TO:<gone@x.example>: 550"), refused.err());

    sink.refuse("later@x.example", 450);
    assertEquals(75, send("Subject: x\n\nx\n", "later@x.example").exit());
    assertEquals(0, sink.received(), "all or nothing: nothing was sent");

    assertEquals(65, send("Subject: no recipients\n\nx\n").exit());
    assertEquals(65, send("Subject: x\n\nx\n", "not an address").exit());

    int port = sink.port();
    sink.close();
    Result down = send("Subject: x\n\nx\n", "bob@x.example");
    assertEquals(75, down.exit(), down.toString());
    assertTrue(down.err().contains("cannot connect to the SMTP server 127.0.0.1:" + port), down.err());
  }

  @Test
  void versionComesFromTheBuildAndEveryCommandHasHelp() throws Exception {
    Matcher m = Pattern.compile("<artifactId>postino</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(m.find());
    Result version = ChildCli.inProcess("--version");
    assertEquals("Postino " + m.group(1) + "\n", version.out().replace("\r", ""));

    Result help = ChildCli.inProcess("help", "queue");
    assertEquals(0, help.exit());
    for (String command : List.of("list", "show", "flush", "hold", "release", "delete", "requeue")) {
      assertTrue(help.out().contains("  " + command + " "), help.out());
      Result sub = ChildCli.inProcess("queue", command, "--help");
      assertEquals(0, sub.exit(), sub.toString());
      assertTrue(sub.out().contains("-conf"), sub.out());
    }
    for (String command : List.of("status", "send")) {
      assertEquals(0, ChildCli.inProcess(command, "--help").exit());
    }
    assertEquals(64, ChildCli.inProcess("queue", "hold").exit(), "hold needs an id");
  }
}
