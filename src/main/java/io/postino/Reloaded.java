package io.postino;

import java.util.List;

/**
 * What a {@link Postino#reload} did, by JSON path of the configuration.
 *
 * @param applied      the changed options now in force: for new SMTP sessions (those in progress
 *                     keep what they started with), the queue, AUTH and the resolver
 * @param needsRestart the changed options that take effect only at the next start (ports, hosts,
 *                     directories, roles, ...); the node runs on with their old values
 */
public record Reloaded(List<String> applied, List<String> needsRestart) {

  public Reloaded {
    applied = List.copyOf(applied);
    needsRestart = List.copyOf(needsRestart);
  }

  /** Whether the new configuration was the same as the running one. */
  public boolean unchanged() {
    return applied.isEmpty() && needsRestart.isEmpty();
  }
}
