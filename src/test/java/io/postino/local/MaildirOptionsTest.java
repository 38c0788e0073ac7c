package io.postino.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.PostinoOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaildirOptionsTest {

  @Test
  void defaultsAreOwnerOnly() {
    MaildirOptions o = new MaildirOptions(new JsonObject());
    assertEquals("data/maildir", o.getRoot());
    assertEquals("rw-------", PosixFilePermissions.toString(o.filePermissions()));
    assertEquals("rwx------", PosixFilePermissions.toString(o.directoryPermissions()));
  }

  @Test
  void octalModesAreReadFromJson() {
    MaildirOptions o = new MaildirOptions(new JsonObject()
        .put("root", "/srv/mail").put("fileMode", "0640").put("directoryMode", "750"));
    assertEquals("/srv/mail", o.getRoot());
    assertEquals("rw-r-----", PosixFilePermissions.toString(o.filePermissions()));
    assertEquals("rwxr-x---", PosixFilePermissions.toString(o.directoryPermissions()));
    assertEquals("0640", new PostinoOptions(new JsonObject().put("hostname", "mx.test")
        .put("maildir", new JsonObject().put("fileMode", "0640"))).getMaildir().getFileMode());
  }

  @Test
  void badModesAreRefused() {
    for (String bad : List.of("", "rw-------", "0800", "06000", "4600", "1600", "0400", "0200", "0602", "0666", "60")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new MaildirOptions().setFileMode(bad), bad);
      assertTrue(e.getMessage().startsWith("maildir.fileMode"), e::getMessage);
    }
    for (String bad : List.of("0600", "0500", "0777", "0702", "2770", "x")) {
      assertThrows(IllegalArgumentException.class, () -> new MaildirOptions().setDirectoryMode(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> new MaildirOptions().setFileMode(null));
  }

  @Test
  void aJsonNumberIsRefusedRatherThanMisread() {
    // 600 as a number is not the octal 0600 the writer meant
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new MaildirOptions(new JsonObject().put("fileMode", 600)));
    assertEquals("maildir.fileMode: expected a string such as \"0600\", got the number 600", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new PostinoOptions(new JsonObject().put("hostname", "mx.test")
        .put("maildir", new JsonObject().put("directoryMode", "0707"))));
  }
}
