package io.postino.config;

/**
 * A configuration that cannot be used: the message names the JSON path of the culprit and what was
 * expected there ({@code smtp.maxConnections: expected a number, got "ten"}). An
 * {@link IllegalArgumentException}, like the errors of the options' setters, so that one catch
 * covers both.
 */
public final class ConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
