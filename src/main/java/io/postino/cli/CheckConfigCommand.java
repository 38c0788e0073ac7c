package io.postino.cli;

import io.postino.Postino;
import io.postino.ConfigurationFile;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code postino check-config [-conf FILE]}: every problem of a configuration at once, as
 * {@code postfix check} (where the server stops at the first): unknown keys with the nearest known
 * one, wrong types and values out of range by JSON path; then what would stop it from starting on
 * this machine: directories that cannot be written, certificates and keys that do not load, the
 * AUTH users file, ports in use. Overrides from the environment and system properties apply, as
 * when the server starts.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
    description = "Check a configuration: print every problem (keys, types, values, certificates, "
        + "directories, ports) and exit 0 when there is none, 78 otherwise.",
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {"0:no problem", "78:the configuration has problems (each is printed)"})
public class CheckConfigCommand implements Callable<Integer> {

  @Option(names = {"-conf", "--conf"}, paramLabel = "FILE",
      description = "JSON configuration file (default: " + Main.DEFAULT_CONFIG + " when it exists, else the defaults)")
  Path conf;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    String file = conf != null ? conf.toString() : Main.DEFAULT_CONFIG;
    JsonObject json;
    try {
      json = Main.readConfig(conf);
    } catch (IOException | RuntimeException e) {
      out.println(e.getMessage());
      out.println(file + ": 1 problem");
      out.flush();
      return Main.CONFIG_ERROR;
    }
    ConfigurationFile.Checked checked = ConfigurationFile.check(json);
    List<String> problems = new ArrayList<>(checked.problems());
    Vertx vertx = Vertx.vertx();
    try {
      problems.addAll(Postino.check(vertx, checked.options()).await());
    } finally {
      vertx.close().await();
    }
    problems.forEach(out::println);
    out.println(problems.isEmpty() ? file + ": configuration OK"
        : file + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
    out.flush();
    return problems.isEmpty() ? 0 : Main.CONFIG_ERROR;
  }
}
