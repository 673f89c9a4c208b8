import { startRunTotals } from './run-totals';

export default startRunTotals;
