// Registers every pipeline task handler (imported for its side effects by workers and executors).
import './measure-task';
