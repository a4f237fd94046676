// Registers every pipeline task handler (imported for its side effects by workers and executors).
import './measure-task';
import './prepare-task';
import './tile-task';
import './register-task';
import './qa-task';
