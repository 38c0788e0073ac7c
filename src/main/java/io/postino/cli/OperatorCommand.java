package io.postino.cli;

import io.postino.PostinoOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every operator's command shares: {@code -conf}, its output and error streams (picocli's, so
 * that a test can capture them), and the one way a failure is reported: {@code postino: <why>} on
 * the error stream and the failure's exit status.
 */
abstract class OperatorCommand implements Callable<Integer> {

  @Mixin
  ConfigOption config;

  @Spec
  CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** The command's work, given the configuration; returns the exit status. */
  abstract int run(PostinoOptions options) throws CommandFailure;

  @Override
  public final Integer call() {
    try {
      return run(config.read());
    } catch (CommandFailure e) {
      err().println("postino: " + e.getMessage());
      return e.exitCode();
    } finally {
      out().flush();
      err().flush();
    }
  }
}
