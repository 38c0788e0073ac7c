/**
 * Reading the configuration: {@link io.postino.config.JsonReader}, the one typed reader of
 * {@code conf/postino.json} that every options class uses (wrong types and unknown keys refused,
 * named by their JSON path, with a did-you-mean for typos; or all of them collected, for
 * {@code check-config}), {@link io.postino.config.Overrides} (environment variables and system
 * properties over the file), {@link io.postino.config.StartupException} (a start-up failure in one
 * line that names the listener or the path), {@link io.postino.config.JsonDiff} (what a reload
 * changed), and {@link io.postino.config.Seconds}, the one duration convention.
 *
 * <p>Implementation, not API. It depends on no other Postino package (Vert.x's JSON types only),
 * so that every package may use it.
 *
 * <p>Implementation, not API; Vert.x's JSON types only, so that every package may use it.
 *
 * <p>Depends on: nothing of Postino.
 */
package io.postino.config;
