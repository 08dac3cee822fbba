/**
 * Prints where the cluster stage gets each controller's chart (the `clusterStage` of each entry in
 * src/controllers), as one JSON object keyed by chart name, for __tests__/integration/test_cluster.py
 * (scripts/verify-cluster.sh writes it to a file and names it in MINDHIT_CHART_SOURCES).
 *   node dist/src/cli/chart-sources.js
 */
import { CONTROLLERS } from "../controllers";

console.log(JSON.stringify(Object.fromEntries(CONTROLLERS.map((controller) => [controller.chart.chart, controller.clusterStage])), null, 2));
