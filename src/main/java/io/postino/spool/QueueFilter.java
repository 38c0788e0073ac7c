package io.postino.spool;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * Which messages a queue listing shows ({@code postino queue list --deferred --hold --domain D
 * --sender S}); every criterion given must hold. With neither {@code deferred} nor {@code hold},
 * messages in any state; with both, either.
 *
 * @param domain a recipient domain (not yet finished with), case-insensitive, or null
 * @param sender the envelope sender's address ({@code <>} or the empty string for the null
 *               sender), case-insensitive, or null
 */
public record QueueFilter(boolean deferred, boolean hold, String domain, String sender) {

  public static final QueueFilter ALL = new QueueFilter(false, false, null, null);

  public boolean matches(QueuedMessage m) {
    if ((deferred || hold) && !(deferred && m.state() == QueuedMessage.State.DEFERRED
        || hold && m.state() == QueuedMessage.State.HOLD)) {
      return false;
    }
    if (sender != null) {
      String wanted = sender.equals("<>") ? "" : sender;
      if (!m.sender().address().equalsIgnoreCase(wanted)) {
        return false;
      }
    }
    if (domain != null) {
      String wanted = domain.toLowerCase(Locale.ROOT);
      return m.recipients().stream()
          .anyMatch(r -> !r.state().isFinished() && r.address().domainLowerCase().equals(wanted));
    }
    return true;
  }

  public JsonObject toJson() {
    return new JsonObject().put("deferred", deferred).put("hold", hold).put("domain", domain).put("sender", sender);
  }

  public static QueueFilter fromJson(JsonObject json) {
    return json == null ? ALL : new QueueFilter(json.getBoolean("deferred", false), json.getBoolean("hold", false),
        json.getString("domain"), json.getString("sender"));
  }
}
