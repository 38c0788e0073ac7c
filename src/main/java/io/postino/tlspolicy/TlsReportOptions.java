package io.postino.tlspolicy;

import io.postino.config.JsonReader;
import io.vertx.core.json.JsonObject;

/**
 * The {@code delivery.tlsPolicy.reports} object: the daily SMTP TLS reports (RFC 8460) a delivery
 * node sends to the domains it delivered to that ask for them.
 *
 * <pre>{@code
 * "reports": {"enabled": true, "organizationName": "Example Mail", "contactInfo": "postmaster@example.org"}
 * }</pre>
 *
 * <p>A null name, contact or sender stands for the node's host name ({@code postmaster@} it); a
 * null directory for {@code tls-reports} in the spool directory.
 */
public final class TlsReportOptions {

  /** On: what RFC 8460 asks of a sender, and what a domain publishing a TLSRPT record wants. */
  public static final boolean DEFAULT_ENABLED = true;

  private boolean enabled = DEFAULT_ENABLED;
  private String organizationName;
  private String contactInfo;
  private String sender;
  private String directory;

  public TlsReportOptions() {
  }

  public TlsReportOptions(JsonReader json) {
    this.enabled = json.bool("enabled", enabled);
    this.organizationName = json.string("organizationName", null);
    this.contactInfo = json.string("contactInfo", null);
    setSender(json.string("sender", null));
    this.directory = json.string("directory", null);
  }

  public boolean isEnabled() {
    return enabled;
  }

  public TlsReportOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /** The {@code organization-name} of the reports; null: the node's host name. */
  public String getOrganizationName() {
    return organizationName;
  }

  public TlsReportOptions setOrganizationName(String organizationName) {
    this.organizationName = organizationName;
    return this;
  }

  /** The {@code contact-info} of the reports; null: {@code postmaster@} the node's host name. */
  public String getContactInfo() {
    return contactInfo;
  }

  public TlsReportOptions setContactInfo(String contactInfo) {
    this.contactInfo = contactInfo;
    return this;
  }

  /** The From and envelope sender of reports sent by mail; null: {@code postmaster@} the host name. */
  public String getSender() {
    return sender;
  }

  public TlsReportOptions setSender(String sender) {
    if (sender != null && sender.indexOf('@') < 1) {
      throw new IllegalArgumentException("reports.sender must be an address: " + sender);
    }
    this.sender = sender;
    return this;
  }

  /** Where the day's counts are kept; null: {@code tls-reports} in the spool directory. */
  public String getDirectory() {
    return directory;
  }

  public TlsReportOptions setDirectory(String directory) {
    this.directory = directory;
    return this;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("enabled", enabled);
    if (organizationName != null) {
      json.put("organizationName", organizationName);
    }
    if (contactInfo != null) {
      json.put("contactInfo", contactInfo);
    }
    if (sender != null) {
      json.put("sender", sender);
    }
    if (directory != null) {
      json.put("directory", directory);
    }
    return json;
  }
}
