/**
 * The JVM's ahead-of-time cache for a member: a training run ({@code bin/cairn --aot-train}) that
 * starts a throw-away member and sends it a day's requests, so that the cache holds the classes it
 * loads and links (not its method profiles: engine/README.md, "The AOT cache without method profiles").
 */
package io.cairn.engine.server.aot;
