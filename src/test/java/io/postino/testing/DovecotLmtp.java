package io.postino.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Dovecot's LMTP server ({@code dovecot-lmtpd}, Debian {@code dovecot-core} and
 * {@code dovecot-lmtpd}) in a child process, on a unix-domain socket in the test's directory, with
 * a passwd-file of users and Maildirs under that directory. A user may have a storage quota, so
 * that Dovecot refuses that recipient after the final dot ({@code 452 4.2.2}, with
 * {@code quota_full_tempfail}); an unknown user is refused at RCPT ({@code 550 5.1.1}). Dovecot
 * switches to its mail user, so it runs as root, delivering as the {@code dovecot} system user. A
 * missing Dovecot fails the test (CI installs it, see {@code .ci/run}).
 */
public final class DovecotLmtp implements AutoCloseable {

  /** A mailbox user, and its storage quota in octets (0: none). */
  public record User(String address, long quota) {
  }

  private final Process process;
  private final Path home;
  public final Path socket;

  private DovecotLmtp(Process process, Path home, Path socket) {
    this.process = process;
    this.home = home;
    this.socket = socket;
  }

  /** Starts Dovecot under {@code dir} (made traversable for Dovecot's mail user). */
  public static DovecotLmtp start(Path dir, List<User> users) throws Exception {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new AssertionError("Dovecot's LMTP test runs as root (Dovecot switches to its mail user)");
    }
    if (!Files.isExecutable(Path.of("/usr/sbin/dovecot")) || !Files.exists(Path.of("/usr/lib/dovecot/lmtp"))) {
      throw new AssertionError("Dovecot's LMTP server is not installed (Debian dovecot-core and dovecot-lmtpd)");
    }
    Path base = dir.resolve("dovecot");
    Path mail = base.resolve("mail");
    Files.createDirectories(mail);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    UserPrincipalLookupService names = mail.getFileSystem().getUserPrincipalLookupService();
    PosixFileAttributeView owner = Files.getFileAttributeView(mail, PosixFileAttributeView.class);
    owner.setOwner(names.lookupPrincipalByName("dovecot"));
    owner.setGroup(names.lookupPrincipalByGroupName("dovecot"));
    int uid = (Integer) Files.getAttribute(mail, "unix:uid");
    int gid = (Integer) Files.getAttribute(mail, "unix:gid");
    StringBuilder passwd = new StringBuilder();
    for (User u : users) {
      passwd.append(u.address()).append("::").append(uid).append(':').append(gid).append("::")
          .append(mail.resolve(u.address())).append("::")
          .append(u.quota() > 0 ? "userdb_quota_rule=*:storage=" + u.quota() + "B" : "").append('\n');
    }
    Files.writeString(base.resolve("users"), passwd);
    Path socket = base.resolve("lmtp");
    Files.writeString(base.resolve("dovecot.conf"), """
        base_dir = %1$s/run
        state_dir = %1$s/state
        log_path = %1$s/dovecot.log
        protocols = lmtp
        ssl = no
        first_valid_uid = 1
        first_valid_gid = 1
        mail_location = maildir:~/Maildir
        mail_plugins = quota
        quota_full_tempfail = yes
        plugin {
          quota = maildir:User quota
        }
        passdb {
          driver = passwd-file
          args = %1$s/users
        }
        userdb {
          driver = passwd-file
          args = %1$s/users
        }
        service lmtp {
          unix_listener %2$s {
            mode = 0666
          }
        }
        """.formatted(base, socket), StandardCharsets.UTF_8);
    Process p = new ProcessBuilder("/usr/sbin/dovecot", "-F", "-c", base.resolve("dovecot.conf").toString())
        .redirectErrorStream(true).redirectOutput(base.resolve("dovecot.out").toFile()).start();
    DovecotLmtp dovecot = new DovecotLmtp(p, mail, socket);
    try {
      TestServer.await("Dovecot's LMTP socket", () -> Files.exists(socket) || !p.isAlive());
      if (!p.isAlive()) {
        throw new AssertionError("Dovecot did not start: " + Files.readString(base.resolve("dovecot.out")));
      }
    } catch (AssertionError e) {
      dovecot.close();
      throw e;
    }
    return dovecot;
  }

  /** Dovecot's log so far, for failure messages. */
  public String log() {
    try {
      return Files.readString(home.getParent().resolve("dovecot.log"));
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** The messages Dovecot stored in a user's INBOX. */
  public List<Path> inbox(String address) {
    return TestServer.files(home.resolve(address).resolve("Maildir").resolve("new"));
  }

  @Override
  public void close() throws InterruptedException, IOException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
