/**
 * TESTS ONLY: what the chaos harness turns on in a member process through its environment, never an
 * operator: {@link io.cairn.engine.testfaults.PlantedBug bugs planted on purpose} (to show the
 * harness catches them) and {@link io.cairn.engine.testfaults.StorageFaultControl the storage fault
 * layer} (slow fdatasync, power cut). Without those variables a member runs on the plain disk with
 * no bug, and with them it says so loudly when it starts.
 */
package io.cairn.engine.testfaults;
