package io.postino.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.dns.TestDnsServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code postino dkim keygen} and {@code check}: the key file, the record printed (which OpenDKIM's
 * {@code opendkim-testkey} accepts for the key), and check's verdicts against a loopback DNS
 * responder.
 */
class DkimCommandTest {

  private TestDnsServer dns;
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  @TempDir
  Path dir;
  private Path conf;

  @BeforeEach
  void startDns() throws IOException {
    dns = TestDnsServer.start();
    conf = Files.writeString(dir.resolve("conf.json"), "{\"dns\": {\"servers\": [\"" + dns.address()
        + "\"], \"queryTimeout\": 300, \"retries\": 0}}");
  }

  @AfterEach
  void stopDns() throws IOException {
    dns.close();
  }

  private int dkim(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    if (args[0].equals("check")) {
      all.addAll(List.of("-conf", conf.toString()));
    }
    return new CommandLine(new DkimCommand())
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(all.toArray(String[]::new));
  }

  /** The zone line keygen printed, as TestDnsServer takes it. */
  private String zoneLine() {
    Matcher m = Pattern.compile("(?m)^(\\S+\\._domainkey\\.\\S+) IN TXT \\((.*)\\)$").matcher(out.toString());
    assertTrue(m.find(), out.toString());
    return m.group(1) + " 300 IN TXT " + m.group(2);
  }

  @Test
  void keygenWritesAPrivateKeyAndPrintsItsRecordAndCheckMatchesIt() throws Exception {
    for (String type : List.of("rsa", "ed25519")) {
      Path key = dir.resolve(type + ".pem");
      assertEquals(DkimCommand.OK, dkim("keygen", "Example.ORG", "s-" + type, "--type", type, "--out", key.toString()),
          err.toString());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
      assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----\n"));
      assertTrue(out.toString().contains("s-" + type + "._domainkey.example.org. IN TXT ( \"v=DKIM1; k=" + type + "; p="),
          out.toString());
      dns.zone(zoneLine());

      assertEquals(DkimCommand.OK, dkim("check", "example.org", "s-" + type, "--key", key.toString()), err.toString());
      assertTrue(out.toString().contains("OK"), out.toString());
    }
    // the RSA key against the Ed25519 record, and against no record
    assertEquals(DkimCommand.MISMATCH, dkim("check", "example.org", "s-ed25519", "--key", dir.resolve("rsa.pem").toString()));
    assertEquals(DkimCommand.NO_RECORD, dkim("check", "example.org", "nothing", "--key", dir.resolve("rsa.pem").toString()));
    dns.zone("broken._domainkey.example.org. 300 IN TXT \"v=DKIM1; k=rsa; p=\"");
    assertEquals(DkimCommand.NO_RECORD, dkim("check", "example.org", "broken", "--key", dir.resolve("rsa.pem").toString()));
    assertTrue(out.toString().contains("revoked"), out.toString());
    dns.mode(TestDnsServer.Mode.SILENT);
    assertEquals(DkimCommand.TEMPORARY, dkim("check", "example.org", "s-rsa", "--key", dir.resolve("rsa.pem").toString()));
  }

  @Test
  void checkReadsAKeyRecordOfSeveralStringsAmongOtherTxtRecords() throws Exception {
    Path key = dir.resolve("rsa.pem");
    assertEquals(DkimCommand.OK, dkim("keygen", "example.org", "s1", "--type", "rsa", "--out", key.toString()));
    String record = zoneLine();
    assertTrue(record.split("\" \"").length >= 2, "a 2048-bit key takes several strings: " + record);
    dns.zone("s1._domainkey.example.org. 300 IN TXT \"google-site-verification=abc\"", record,
        "s1._domainkey.example.org. 300 IN TXT \"MS=ms12345\"");
    assertEquals(DkimCommand.OK, dkim("check", "example.org", "s1", "--key", key.toString()), out + " " + err);
  }

  @Test
  void checkFindsTheKeyInTheConfiguration() throws Exception {
    Path key = dir.resolve("k.pem");
    assertEquals(DkimCommand.OK, dkim("keygen", "example.org", "s1", "--type", "ed25519", "--out", key.toString()));
    dns.zone(zoneLine());
    conf = Files.writeString(dir.resolve("conf.json"), "{\"dns\": {\"servers\": [\"" + dns.address() + "\"]},"
        + " \"dkim\": {\"domains\": {\"example.org\": [{\"selector\": \"s1\", \"key\": \"" + key + "\"}]}}}");
    assertEquals(DkimCommand.OK, dkim("check", "example.org", "s1"), err.toString());
    assertEquals(DkimCommand.NO_KEY, dkim("check", "example.org", "s2"));
  }

  @Test
  void keygenRefusesWeakKeysUnknownTypesAndExistingFiles() throws Exception {
    assertEquals(DkimCommand.USAGE, dkim("keygen", "example.org", "s1", "--bits", "1024", "--out",
        dir.resolve("a.pem").toString()));
    assertEquals(DkimCommand.USAGE, dkim("keygen", "example.org", "s1", "--type", "dsa", "--out",
        dir.resolve("a.pem").toString()));
    assertEquals(DkimCommand.USAGE, dkim("keygen", "example.org", "bad selector", "--out", dir.resolve("a.pem").toString()));
    Path existing = Files.writeString(dir.resolve("in-use.pem"), "a key in use");
    assertEquals(DkimCommand.CANNOT_WRITE, dkim("keygen", "example.org", "s1", "--out", existing.toString()));
    assertEquals("a key in use", Files.readString(existing));
  }

  @Test
  void opendkimTestkeyAcceptsTheRecordForTheKey() throws Exception {
    Path key = dir.resolve("rsa.pem");
    assertEquals(DkimCommand.OK, dkim("keygen", "example.org", "s2026r", "--out", key.toString()));
    dns.zone(zoneLine());
    Path unbound = Files.writeString(dir.resolve("unbound.conf"), """
        server:
          do-not-query-localhost: no
          module-config: "iterator"
        forward-zone:
          name: "."
          forward-addr: 127.0.0.1@%d
        """.formatted(dns.port()));
    Path opendkimConf = Files.writeString(dir.resolve("opendkim.conf"), "ResolverConfiguration " + unbound + "\n");
    String result = run("opendkim-testkey", "-x", opendkimConf.toString(), "-d", "example.org", "-s", "s2026r",
        "-k", key.toString(), "-vvv");
    assertTrue(result.contains("key OK") && result.endsWith("(exit 0)"), result);

    Path other = dir.resolve("other.pem");
    assertEquals(DkimCommand.OK, dkim("keygen", "example.org", "s2", "--out", other.toString()));
    String mismatch = run("opendkim-testkey", "-x", opendkimConf.toString(), "-d", "example.org", "-s", "s2026r",
        "-k", other.toString(), "-vvv");
    assertTrue(!mismatch.contains("key OK") && !mismatch.endsWith("(exit 0)"), mismatch);
  }

  private static String run(String... command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(command));
    if (cmd.get(0).equals("opendkim-testkey") && Files.isExecutable(Path.of("/usr/sbin/opendkim-testkey"))) {
      cmd.set(0, "/usr/sbin/opendkim-testkey");
    }
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("opendkim-testkey is not installed (Debian: apt-get install opendkim-tools)", e);
    }
    String output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return output.strip() + " (exit " + p.exitValue() + ")";
  }
}
