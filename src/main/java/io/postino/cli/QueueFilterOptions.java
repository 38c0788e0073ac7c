package io.postino.cli;

import io.postino.spool.QueueFilter;
import picocli.CommandLine.Option;

/** The options that choose messages, shared by {@code queue list} and {@code queue delete --all}. */
final class QueueFilterOptions {

  @Option(names = "--deferred", description = "only deferred messages")
  boolean deferred;

  @Option(names = "--hold", description = "only messages on hold")
  boolean hold;

  @Option(names = "--domain", paramLabel = "DOMAIN", description = "only messages with a recipient in DOMAIN not finished")
  String domain;

  @Option(names = "--sender", paramLabel = "ADDRESS", description = "only messages from ADDRESS (<> for bounces)")
  String sender;

  QueueFilter filter() {
    return new QueueFilter(deferred, hold, domain, sender);
  }

  boolean any() {
    return deferred || hold || domain != null || sender != null;
  }
}
