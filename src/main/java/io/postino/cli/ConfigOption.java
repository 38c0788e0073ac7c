package io.postino.cli;

import io.postino.PostinoOptions;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code -conf FILE} of the operator's commands: the server's configuration, from which they
 * learn where its admin port, token file, spool and SMTP listener are. Relative paths in it are
 * relative to the working directory, as for the server: run the commands from where it runs.
 */
final class ConfigOption {

  @Option(names = {"-conf", "--conf"}, paramLabel = "FILE",
      description = "the server's JSON configuration (default: " + Main.DEFAULT_CONFIG + " when it exists)")
  Path conf;

  PostinoOptions read() throws CommandFailure {
    try {
      return new PostinoOptions(Main.readConfig(conf));
    } catch (IOException | RuntimeException e) {
      throw new CommandFailure(ExitCodes.CONFIG, "invalid configuration: " + e.getMessage());
    }
  }

  /** A wildcard listening address is reached on loopback. */
  static String connectable(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "127.0.0.1" : host;
  }
}
