package io.postino.cli;

import io.postino.PostinoOptions;
import io.postino.dns.MxResolver;
import io.postino.dns.MxResolverOptions;
import io.postino.bus.Route;
import io.postino.bus.RouteException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code postino route DOMAIN}: prints where mail for a domain goes, as JSON, exactly as delivery
 * would get it from {@code postino.mx.resolve} (the operator's {@code dig mx} for Postino).
 *
 * <p>Exit status: 0 for a route, 2 for a permanent failure (mail would bounce), 75
 * ({@code EX_TEMPFAIL}) for a temporary one (mail would wait), 78 ({@code EX_CONFIG}) when the
 * configuration cannot be read, 64 ({@code EX_USAGE}) for an invalid command line.
 */
@Command(name = "route", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = RouteCommand.USAGE,
    description = "Print the route (MX hosts and addresses) of DOMAIN as JSON, as delivery would use it.",
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {"0:a route was found", "2:permanent failure (mail would bounce)",
        "64:invalid command line", "75:temporary failure (mail would be retried)",
        "78:the configuration is invalid"})
public class RouteCommand implements Callable<Integer> {

  public static final int ROUTE = 0;
  public static final int PERMANENT = 2;
  public static final int TEMPORARY = 75;
  public static final int CONFIG_ERROR = Main.CONFIG_ERROR;
  /** The exit status of an invalid command line; picocli's default, 2, would read as "permanent". */
  public static final int USAGE = 64;

  @Parameters(index = "0", paramLabel = "DOMAIN", description = "the domain, e.g. example.org")
  String domain;

  @Option(names = "--dns", paramLabel = "HOST:PORT",
      description = "DNS server to ask, repeatable (default: the \"dns\" config, else /etc/resolv.conf)")
  List<String> dns;

  @Option(names = {"-conf", "--conf"}, paramLabel = "FILE",
      description = "JSON configuration file; its \"dns\" object holds the resolver options "
          + "(default: conf/postino.json when it exists)")
  Path conf;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    MxResolverOptions options;
    try {
      options = options();
    } catch (IOException | RuntimeException e) {
      spec.commandLine().getErr().println("route: invalid configuration: " + e.getMessage());
      return CONFIG_ERROR;
    }
    Vertx vertx = Vertx.vertx();
    try {
      MxResolver resolver = MxResolver.create(vertx, options);
      Route route = resolver.resolve(domain).toCompletionStage().toCompletableFuture().join();
      print(route.toJson());
      return ROUTE;
    } catch (CompletionException e) {
      RouteException failure = e.getCause() instanceof RouteException re
          ? re : RouteException.temporary(domain, String.valueOf(e.getCause()));
      print(failure.toJson());
      return failure.permanent() ? PERMANENT : TEMPORARY;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  private MxResolverOptions options() throws IOException {
    JsonObject config = Main.readConfig(conf);
    // the same options the server builds, own names and addresses included, so the route printed
    // is the route delivery would take
    MxResolverOptions options = new PostinoOptions(config).resolverOptions();
    if (dns != null && !dns.isEmpty()) {
      options.setServers(dns);
    }
    return options;
  }

  private void print(JsonObject json) {
    spec.commandLine().getOut().println(json.encodePrettily());
    spec.commandLine().getOut().flush();
  }
}
