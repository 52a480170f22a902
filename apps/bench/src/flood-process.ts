/**
 * The flooding client of scenario 7 and of the tests' rush hour, in a process of its own (see
 * runFloodProcess); started by FloodProcess.
 *
 *   node dist/apps/bench/src/flood-process.js '{"orderUrl":"http://127.0.0.1:3000/order/","count":3000}'
 */
import { runFloodProcess } from '@cafe/simulation';

runFloodProcess(process.argv[2]);
