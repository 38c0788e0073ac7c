package io.postino.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;
import picocli.CommandLine;

/** {@code postino users add/remove/list}: the users file it writes and its exit statuses. */
class UsersCommandTest {

  @TempDir
  Path dir;
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  private int users(String stdin, String... args) {
    out = new StringWriter();
    err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("-conf") && !all.contains("--file") && !all.contains("--help")) {
      all.addAll(List.of("--file", file().toString()));
    }
    return new CommandLine(new UsersCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))))
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(all.toArray(String[]::new));
  }

  private Path file() {
    return dir.resolve("users");
  }

  private String hashOf(String name) throws Exception {
    for (String line : Files.readAllLines(file())) {
      if (line.startsWith(name + ":")) {
        return line.split(":")[1];
      }
    }
    throw new AssertionError(name + " not in " + Files.readString(file()));
  }

  @Test
  void addReadsThePasswordFromStandardInputAndStoresOnlyItsHash() throws Exception {
    assertEquals(0, users("correct horse battery\n", "add", "alice", "--cost", "4"), err.toString());
    String hash = hashOf("alice");
    assertTrue(hash.startsWith("$2a$04$"), hash);
    assertTrue(BCrypt.checkpw("correct horse battery", hash));
    assertFalse(Files.readString(file()).contains("correct horse"));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file())));
    assertTrue(out.toString().contains("alice saved in"), out.toString());
  }

  @Test
  void addReplacesAnExistingUserAndKeepsEverythingElse() throws Exception {
    Files.writeString(file(), "# my users\nbob:" + BCrypt.hashpw("b", BCrypt.gensalt(4)) + "\n");
    assertEquals(0, users("one\n", "add", "alice", "--cost", "4", "--address", "Alice@Example.org"));
    assertEquals(0, users("two\r\n", "add", "alice", "--cost", "4"));
    List<String> lines = Files.readAllLines(file());
    assertEquals("# my users", lines.get(0));
    assertTrue(lines.get(1).startsWith("bob:"));
    assertEquals(3, lines.size(), lines.toString());
    assertTrue(BCrypt.checkpw("two", hashOf("alice")));
    assertTrue(lines.get(2).endsWith(":alice@example.org"), "addresses kept: " + lines.get(2));
  }

  @Test
  void removeAndList() throws Exception {
    users("a\n", "add", "alice", "--cost", "4");
    users("b\n", "add", "bob@example.org", "--cost", "4", "--address", "b@example.org");
    assertEquals(0, users("", "list"));
    assertEquals("alice\nbob@example.org b@example.org\n", out.toString().replace("\r\n", "\n"));
    assertEquals(0, users("", "remove", "alice"));
    assertEquals(UsersCommand.NO_USER, users("", "remove", "alice"));
    assertTrue(err.toString().contains("no user alice"), err.toString());
    assertEquals(0, users("", "list"));
    assertEquals("bob@example.org b@example.org\n", out.toString().replace("\r\n", "\n"));
  }

  @Test
  void badInput() {
    assertEquals(UsersCommand.USAGE, users("pw\n", "add", "a:b"));
    assertEquals(UsersCommand.USAGE, users("pw\n", "add", "has space"));
    assertEquals(UsersCommand.USAGE, users("pw\n", "add", "alice", "--cost", "3"));
    assertEquals(UsersCommand.USAGE, users("pw\n", "add", "alice", "--address", "not-an-address"));
    assertEquals(UsersCommand.BAD_PASSWORD, users("", "add", "alice"));
    assertEquals(UsersCommand.BAD_PASSWORD, users("\n", "add", "alice"));
    assertEquals(UsersCommand.BAD_PASSWORD, users("x".repeat(73) + "\n", "add", "alice"));
    assertEquals(UsersCommand.USAGE, users("", "add"));
    assertFalse(Files.exists(file()));
  }

  @Test
  void theUsersFileOfTheConfigurationIsUsed() throws Exception {
    Path users = dir.resolve("elsewhere").resolve("users");
    Path conf = Files.writeString(dir.resolve("postino.json"),
        new JsonObject().put("auth", new JsonObject().put("usersFile", users.toString())).encode());
    assertEquals(0, users("pw\n", "add", "carol", "--cost", "4", "-conf", conf.toString()));
    assertTrue(Files.readString(users).contains("carol:$2a$04$"));
    Path broken = Files.writeString(dir.resolve("broken.json"), "{not json");
    assertEquals(UsersCommand.CONFIG_ERROR, users("pw\n", "add", "carol", "-conf", broken.toString()));
  }

  @Test
  void itIsASubcommandOfTheJar() throws Exception {
    users("pw\n", "add", "dave", "--cost", "4");
    StringWriter listed = new StringWriter();
    int code = new CommandLine(new Main()).setOut(new PrintWriter(listed, true))
        .execute("users", "list", "--file", file().toString());
    assertEquals(0, code);
    assertEquals("dave", listed.toString().trim());
  }
}
