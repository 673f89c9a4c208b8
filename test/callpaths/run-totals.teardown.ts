import { printRunTotals } from './run-totals';

export default printRunTotals;
