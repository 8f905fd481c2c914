export { doctorCommandGroup } from './doctor.commands.js';
