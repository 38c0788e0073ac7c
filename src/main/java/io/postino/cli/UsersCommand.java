package io.postino.cli;

import io.postino.PostinoOptions;
import io.postino.server.auth.AuthOptions;
import io.postino.server.auth.UsersFile;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code postino users add NAME}, {@code users remove NAME}, {@code users list}: edits the AUTH
 * users file ({@code auth.usersFile} of the configuration, or {@code --file}). A running server
 * picks the change up by itself within {@code auth.watchInterval}.
 *
 * <p>{@code add} reads the password from standard input, so scripts can pipe it in; on a terminal
 * it asks twice without echo. Only the bcrypt hash is stored.
 *
 * <p>Exit status: 0 done, 64 ({@code EX_USAGE}) invalid command line or user name, 65
 * ({@code EX_DATAERR}) unusable password, 67 ({@code EX_NOUSER}) no such user to remove, 73
 * ({@code EX_CANTCREAT}) the file cannot be written, 78 ({@code EX_CONFIG}) the configuration
 * cannot be read.
 */
@Command(name = "users", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = UsersCommand.USAGE,
    description = "Manage the users that may authenticate (AUTH PLAIN/LOGIN).",
    subcommands = {UsersCommand.Add.class, UsersCommand.Remove.class, UsersCommand.ListUsers.class},
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {"0:done", "64:invalid command line or user name", "65:unusable password",
        "67:no such user", "73:the users file cannot be written", "78:the configuration is invalid"})
public class UsersCommand implements Callable<Integer> {

  public static final int OK = 0;
  public static final int USAGE = 64;
  public static final int BAD_PASSWORD = 65;
  public static final int NO_USER = 67;
  public static final int CANNOT_WRITE = 73;
  public static final int CONFIG_ERROR = Main.CONFIG_ERROR;

  private final InputStream stdin;

  @Spec
  CommandSpec spec;

  public UsersCommand() {
    this(System.in);
  }

  /** With the standard input to read passwords from (tests). */
  public UsersCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }

  /** Where the users file is: {@code --file}, else the configuration's {@code auth.usersFile}. */
  static final class FileOptions {
    @Option(names = {"-conf", "--conf"}, paramLabel = "FILE",
        description = "JSON configuration file whose auth.usersFile is used (default: conf/postino.json when it exists)")
    Path conf;

    @Option(names = "--file", paramLabel = "FILE", description = "the users file itself (overrides the configuration)")
    Path file;

    Path usersFile() throws IOException {
      if (file != null) {
        return file;
      }
      return Path.of(new PostinoOptions(Main.readConfig(conf)).getAuth().getUsersFile());
    }
  }

  /** Runs an edit with the exit statuses every subcommand shares. */
  private interface Edit {
    int run(Path usersFile, PrintWriter out) throws IOException;
  }

  private static int edit(CommandSpec spec, FileOptions options, Edit edit) {
    PrintWriter err = spec.commandLine().getErr();
    Path file;
    try {
      file = options.usersFile();
    } catch (IOException | RuntimeException e) {
      err.println("users: invalid configuration: " + e.getMessage());
      return CONFIG_ERROR;
    }
    try {
      int code = edit.run(file, spec.commandLine().getOut());
      spec.commandLine().getOut().flush();
      return code;
    } catch (IOException e) {
      err.println("users: cannot update " + file + ": " + e);
      return CANNOT_WRITE;
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = USAGE,
      description = "Add a user, or give an existing one a new password. The password is read from standard input.")
  static final class Add implements Callable<Integer> {
    @ParentCommand
    UsersCommand parent;

    @Spec
    CommandSpec spec;

    @Mixin
    FileOptions options;

    @Parameters(index = "0", paramLabel = "NAME", description = "the login name, e.g. alice or alice@example.org")
    String name;

    @Option(names = "--address", paramLabel = "ADDRESS",
        description = "a sender address the user may use besides its own (repeatable; replaces the ones listed)")
    List<String> addresses;

    @Option(names = "--cost", paramLabel = "N", defaultValue = "" + AuthOptions.DEFAULT_BCRYPT_COST,
        description = "bcrypt cost, 4 to 31; each step doubles the time a check takes (default: ${DEFAULT-VALUE})")
    int cost;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      List<String> checked = null;
      try {
        UsersFile.checkName(name);
        if (addresses != null) {
          checked = new ArrayList<>();
          for (String a : addresses) {
            checked.add(UsersFile.checkAddress(a));
          }
        }
        if (cost < 4 || cost > 31) {
          throw new IllegalArgumentException("--cost must be between 4 and 31");
        }
      } catch (IllegalArgumentException e) {
        err.println("users: " + e.getMessage());
        return USAGE;
      }
      String hash;
      try {
        hash = UsersFile.hash(parent.readPassword(), cost);
      } catch (IOException | IllegalArgumentException e) {
        err.println("users: " + e.getMessage());
        return BAD_PASSWORD;
      }
      List<String> finalAddresses = checked;
      return edit(spec, options, (file, out) -> {
        UsersFile.put(file, name, hash, finalAddresses);
        out.println("users: " + name + " saved in " + file);
        return OK;
      });
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = USAGE,
      description = "Remove a user.")
  static final class Remove implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    FileOptions options;

    @Parameters(index = "0", paramLabel = "NAME", description = "the login name")
    String name;

    @Override
    public Integer call() {
      return edit(spec, options, (file, out) -> {
        if (!UsersFile.remove(file, name)) {
          spec.commandLine().getErr().println("users: no user " + name + " in " + file);
          return NO_USER;
        }
        out.println("users: " + name + " removed from " + file);
        return OK;
      });
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = USAGE,
      description = "List the user names, one a line.")
  static final class ListUsers implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    FileOptions options;

    @Override
    public Integer call() {
      return edit(spec, options, (file, out) -> {
        UsersFile.read(file, w -> spec.commandLine().getErr().println("users: " + w)).values()
            .forEach(u -> out.println(u.addresses().isEmpty() ? u.name() : u.name() + " " + String.join(",", u.addresses())));
        return OK;
      });
    }
  }

  /**
   * The new password: asked twice without echo on a terminal, else the first line of standard
   * input (without its line ending).
   */
  private String readPassword() throws IOException {
    Console console = System.console();
    if (console != null && stdin == System.in) {
      char[] first = console.readPassword("Password: ");
      char[] again = console.readPassword("Password again: ");
      if (first == null || again == null || !Arrays.equals(first, again)) {
        throw new IOException("the passwords differ");
      }
      return new String(first);
    }
    BufferedReader r = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
    String line = r.readLine();
    if (line == null || line.isEmpty()) {
      throw new IOException("no password on standard input");
    }
    return line;
  }
}
